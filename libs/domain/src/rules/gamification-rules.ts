import type { LeaderboardPeriodKind } from '../leaderboards/leaderboard-period';
import { DEFAULT_SKILL_MASTERY, type SkillDefinition, type SkillMasteryLevel } from '../skills/skill-tree';

/** The operator-tunable rules. The values live in the rules file; these are only their shapes. */
export interface XpRules {
  readonly base: number;
  readonly score: { readonly step: number; readonly xpPerStep: number };
  readonly duration: { readonly stepSeconds: number; readonly xpPerStep: number; readonly maxSteps: number };
  readonly minimumDurationSeconds: number;
}

export interface LevelRules {
  /** Reaching level n (n >= 2) needs xpFactor * n * (n - 1) XP in total. */
  readonly xpFactor: number;
  readonly maxLevel: number;
}

export const BADGE_METRICS = ['sessionsCompleted', 'streakDays', 'score', 'level', 'skillsPractised', 'skillMastery'] as const;
export type BadgeMetric = (typeof BADGE_METRICS)[number];

export interface BadgeDefinition {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly when: { readonly metric: BadgeMetric; readonly atLeast: number };
}

export const CHALLENGE_TYPES = ['COMPLETE_SESSIONS', 'SCORE_AT_LEAST', 'PRACTICE_MINUTES'] as const;
export type ChallengeType = (typeof CHALLENGE_TYPES)[number];

export interface ChallengeTemplate {
  readonly type: ChallengeType;
  readonly description: string;
  /** Sessions for COMPLETE_SESSIONS and SCORE_AT_LEAST, seconds for PRACTICE_MINUTES. */
  readonly target: number;
  readonly xpReward: number;
  /** Only for SCORE_AT_LEAST: the score a session needs to count. */
  readonly minScore?: number;
}

/** Contract section 8. */
export interface StreakFreezeRules {
  /** A freeze is earned each time the streak reaches a multiple of this many days. */
  readonly earnEveryDays: number;
  /** The most freezes a user holds at once; 0 turns freezes off (the streak of contract section 4). */
  readonly maxHeld: number;
}

/** Rules files from before freezes: the "off" values, which give their streaks exactly. */
export const FREEZES_OFF: StreakFreezeRules = { earnEveryDays: 7, maxHeld: 0 };
export const DEFAULT_STREAK_REMINDER_LOCAL_TIME = '20:00';

/** Contract section 9: one board, ranked by XP in each of its periods. */
export interface LeaderboardDefinition {
  readonly code: string;
  readonly name: string;
  readonly period: LeaderboardPeriodKind;
}

/** The boards and the calendar their periods follow. */
export interface LeaderboardRules {
  readonly leaderboards: readonly LeaderboardDefinition[];
  /** The zone whose weeks and months the periods are. */
  readonly leaderboardTimeZone: string;
  /** A period is final this many hours after it ends: later XP no longer changes it. */
  readonly leaderboardGraceHours: number;
}

/** Rules files from before leaderboards have none. */
export const LEADERBOARDS_OFF: LeaderboardRules = { leaderboards: [], leaderboardTimeZone: 'UTC', leaderboardGraceHours: 12 };

/** Contract section 10: the skill tree sessions' skills are counted in, and the mastery levels of a skill. */
export interface SkillRules {
  readonly skills: readonly SkillDefinition[];
  readonly skillMastery: readonly SkillMasteryLevel[];
}

/** Rules files from before skills have no tree (every listed skill is unknown) and the contract's mastery levels. */
export const SKILLS_OFF: SkillRules = { skills: [], skillMastery: DEFAULT_SKILL_MASTERY };

export interface GamificationRules extends LeaderboardRules, SkillRules {
  /** Every fact records the version that decided it; each change of the rules gets a higher one. */
  readonly version: number;
  readonly xp: XpRules;
  readonly levels: LevelRules;
  readonly badges: readonly BadgeDefinition[];
  readonly challenges: readonly ChallengeTemplate[];
  readonly streakFreeze: StreakFreezeRules;
  /** `HH:MM` in the user's zone: when a streak not yet extended today is announced at risk. */
  readonly streakReminderLocalTime: string;
}
