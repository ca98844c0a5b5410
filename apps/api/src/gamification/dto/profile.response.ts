import { ApiProperty } from '@nestjs/swagger';
import { CHALLENGE_TYPES, type ChallengeType } from '@app/domain';
import type { BadgeCatalogEntry, BadgeView, ChallengeView, ClaimedChallenge, ProfileView } from '@app/application';

export class BadgeResponse implements BadgeView {
  @ApiProperty({ example: 'FIRST_STEPS' }) code!: string;
  @ApiProperty({ example: 'First Steps' }) name!: string;
  @ApiProperty({ example: 'Complete your first practice session' }) description!: string;
  @ApiProperty({ format: 'date-time' }) earnedAt!: string;
}

export class ChallengeResponse implements ChallengeView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CHALLENGE_TYPES }) type!: ChallengeType;
  @ApiProperty({ example: 'Complete 2 practice sessions today' }) description!: string;
  @ApiProperty({ example: 1, description: 'sessions, or seconds for PRACTICE_MINUTES' }) progress!: number;
  @ApiProperty({ example: 2 }) target!: number;
  @ApiProperty({ example: 100 }) xpReward!: number;
  @ApiProperty() isCompleted!: boolean;
  @ApiProperty() isClaimed!: boolean;
  @ApiProperty({ format: 'date-time', description: 'the end of the user’s local day' }) expiresAt!: string;
}

export class StreakFreezesResponse {
  @ApiProperty({ example: 1, description: 'freezes held on the user’s today' }) held!: number;
  @ApiProperty({ example: 2, description: 'the most a user holds at once; 0 when freezes are off' }) max!: number;
  @ApiProperty({ example: 7, description: 'a freeze is earned each time the streak reaches a multiple of this' }) earnEveryDays!: number;
}

export class ProfileResponse implements ProfileView {
  @ApiProperty({ example: 'user-123' }) userId!: string;
  @ApiProperty({ example: 2 }) level!: number;
  @ApiProperty({ example: 180 }) totalXp!: number;
  @ApiProperty({ example: 80, description: 'totalXp minus the XP the current level needed' }) xpIntoLevel!: number;
  @ApiProperty({ example: 200, description: 'XP between the current and the next level; 0 at the cap' }) xpForNextLevel!: number;
  @ApiProperty({
    example: 3,
    description: 'the streak on the user’s local today: each day that ended without practice used a freeze, and with none left the streak fell to 0',
  })
  currentStreak!: number;
  @ApiProperty({ example: 5 }) longestStreak!: number;
  @ApiProperty({ type: String, format: 'date', nullable: true, example: '2026-11-25' }) lastPracticeDate!: string | null;
  @ApiProperty({ type: StreakFreezesResponse }) streakFreezes!: StreakFreezesResponse;
  @ApiProperty({ type: [String], format: 'date', example: ['2026-11-20'], description: 'the frozen days of the current streak, oldest first' })
  frozenDays!: string[];
  @ApiProperty({ description: 'a counted session on the user’s current local day' }) practicedToday!: boolean;
  @ApiProperty({ example: 4 }) sessionsCompleted!: number;
  @ApiProperty({ type: [BadgeResponse] }) badges!: BadgeResponse[];
  @ApiProperty({ type: [ChallengeResponse] }) challenges!: ChallengeResponse[];
}

export class ClaimChallengeResponse implements ClaimedChallenge {
  @ApiProperty({ type: ChallengeResponse }) challenge!: ChallengeResponse;
  @ApiProperty({ example: 100 }) xpAwarded!: number;
  @ApiProperty({ example: 2 }) level!: number;
  @ApiProperty({ example: 280 }) totalXp!: number;
  @ApiProperty() leveledUp!: boolean;
}

export class BadgeCatalogResponse implements BadgeCatalogEntry {
  @ApiProperty({ example: 'ON_FIRE' }) code!: string;
  @ApiProperty({ example: 'On Fire' }) name!: string;
  @ApiProperty({ example: 'Practice 3 days in a row' }) description!: string;
  @ApiProperty({ example: 'Practise 3 days in a row' }) howToEarn!: string;
}
