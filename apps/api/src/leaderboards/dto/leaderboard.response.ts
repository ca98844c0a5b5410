import { ApiProperty } from '@nestjs/swagger';
import { LEADERBOARD_PERIOD_KINDS, type LeaderboardPeriodKind } from '@app/domain';
import type { LeaderboardEntryView, LeaderboardPeriodView, LeaderboardSummaryView, LeaderboardView } from '@app/application';

export class LeaderboardSummaryResponse implements LeaderboardSummaryView {
  @ApiProperty({ example: 'WEEKLY_XP' }) code!: string;
  @ApiProperty({ example: 'This week' }) name!: string;
  @ApiProperty({ enum: LEADERBOARD_PERIOD_KINDS }) period!: LeaderboardPeriodKind;
}

export class LeaderboardListResponse {
  @ApiProperty({ type: [LeaderboardSummaryResponse] }) leaderboards!: LeaderboardSummaryResponse[];
}

export class LeaderboardPeriodResponse implements LeaderboardPeriodView {
  @ApiProperty({ example: '2026-W48' }) key!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'null for all time' }) start!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'exclusive; null for all time' }) end!: string | null;
  @ApiProperty({ description: 'leaderboardGraceHours after the end: later XP no longer changes it' }) final!: boolean;
}

export class LeaderboardEntryResponse implements LeaderboardEntryView {
  @ApiProperty({ example: 1 }) rank!: number;
  @ApiProperty({ example: 'user-9' }) userId!: string;
  @ApiProperty({ example: 900 }) xp!: number;
}

export class LeaderboardMeResponse {
  @ApiProperty({ example: 57 }) rank!: number;
  @ApiProperty({ example: 300 }) xp!: number;
}

export class LeaderboardResponse implements LeaderboardView {
  @ApiProperty({ example: 'WEEKLY_XP' }) code!: string;
  @ApiProperty({ example: 'This week' }) name!: string;
  @ApiProperty({ type: LeaderboardPeriodResponse }) period!: LeaderboardPeriodResponse;
  @ApiProperty({ example: 1234, description: 'users with XP > 0 in the period' }) participants!: number;
  @ApiProperty({
    type: [LeaderboardEntryResponse],
    description: 'by XP, highest first; equal XP: who reached it first (engine time), then userId (by its bytes)',
  })
  entries!: LeaderboardEntryResponse[];
  @ApiProperty({ type: LeaderboardMeResponse, nullable: true, description: 'null when the caller has no XP in the period' })
  me!: LeaderboardMeResponse | null;
}
