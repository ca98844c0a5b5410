import type { ChallengeType, LocalDate } from '@app/domain';
import type { ChallengeRecord } from '@app/persistence';

export interface BadgeView {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly earnedAt: string;
}

export interface ChallengeView {
  readonly id: string;
  readonly type: ChallengeType;
  readonly description: string;
  readonly progress: number;
  readonly target: number;
  readonly xpReward: number;
  readonly isCompleted: boolean;
  readonly isClaimed: boolean;
  readonly expiresAt: string;
}

/** GET /gamification/profile, as CONTRACT.md section 5 shapes it. */
export interface ProfileView {
  readonly userId: string;
  readonly level: number;
  readonly totalXp: number;
  readonly xpIntoLevel: number;
  readonly xpForNextLevel: number;
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: LocalDate | null;
  /** Whether the user has a counted session on their current local day. */
  readonly practicedToday: boolean;
  readonly sessionsCompleted: number;
  readonly badges: readonly BadgeView[];
  readonly challenges: readonly ChallengeView[];
}

export function challengeView(challenge: ChallengeRecord): ChallengeView {
  return {
    id: challenge.id,
    type: challenge.type,
    description: challenge.description,
    progress: challenge.progress,
    target: challenge.target,
    xpReward: challenge.xpReward,
    isCompleted: challenge.progress >= challenge.target,
    isClaimed: challenge.isClaimed,
    expiresAt: challenge.expiresAt.toISOString(),
  };
}
