import type { LeaderboardPeriodKind } from '@app/domain';

/** A board's period, as the api shows it (contract section 9). */
export interface LeaderboardPeriodView {
  readonly key: string;
  readonly start: string | null;
  readonly end: string | null;
  readonly final: boolean;
}

export interface LeaderboardEntryView {
  readonly rank: number;
  readonly userId: string;
  readonly xp: number;
}

export interface LeaderboardView {
  readonly code: string;
  readonly name: string;
  readonly period: LeaderboardPeriodView;
  readonly participants: number;
  readonly entries: readonly LeaderboardEntryView[];
  readonly me: { readonly rank: number; readonly xp: number } | null;
}

export interface LeaderboardSummaryView {
  readonly code: string;
  readonly name: string;
  readonly period: LeaderboardPeriodKind;
}
