import { isChallengeCompleted, type ChallengeState } from '../challenges/daily-challenges';
import { LevelCurve } from '../levels/level-curve';
import type { LevelRules, StreakFreezeRules } from '../rules/gamification-rules';
import { NO_STREAK, StreakCalculator } from '../streaks/streak-calculator';
import { DEFAULT_TIME_ZONE, endOfLocalDay, localDateOf, type LocalDate } from '../time/local-date';

export interface EarnedBadge {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly awardedAt: Date;
}

/** What is recorded of a user, as the profile reads it. */
export interface RecordedProfile {
  readonly totalXp: number;
  readonly level: number;
  readonly sessionsCompleted: number;
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: LocalDate | null;
  /** Freezes held at the end of the latest practice day. */
  readonly freezesHeld: number;
  /** The frozen days of the streak through the latest practice day. */
  readonly frozenDays: readonly LocalDate[];
  /** The zone last seen for the user; null if no event ever named one. */
  readonly timezone: string | null;
  readonly badges: readonly EarnedBadge[];
}

/** The user's current local day, and where it ends. */
export interface ProfileDay {
  readonly zone: string;
  readonly today: LocalDate;
  readonly endsAt: Date;
}

export type ProjectedChallenge<Challenge extends ChallengeState> = Challenge & { readonly isCompleted: boolean };

export interface ProfileProjection<Challenge extends ChallengeState> {
  readonly level: number;
  readonly totalXp: number;
  readonly xpIntoLevel: number;
  readonly xpForNextLevel: number;
  /** The streak on the user's today: ended days without practice have used freezes, or ended it. */
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: LocalDate | null;
  /** Held on the user's today, of the most the rules let them hold. */
  readonly streakFreezes: { readonly held: number; readonly max: number; readonly earnEveryDays: number };
  /** The frozen days of the current streak, oldest first. */
  readonly frozenDays: readonly LocalDate[];
  /** Whether the user has a counted session on their current local day. */
  readonly practicedToday: boolean;
  readonly sessionsCompleted: number;
  readonly badges: readonly EarnedBadge[];
  readonly challenges: ReadonlyArray<ProjectedChallenge<Challenge>>;
}

/** The user's today is taken in the zone last seen for them, else in UTC (a user never seen included). */
export function profileDayOf(recorded: Pick<RecordedProfile, 'timezone'> | null, now: Date): ProfileDay {
  const zone = recorded?.timezone ?? DEFAULT_TIME_ZONE;
  const today = localDateOf(now, zone);
  return { zone, today, endsAt: endOfLocalDay(today, zone) };
}

export function projectChallenge<Challenge extends ChallengeState>(challenge: Challenge): ProjectedChallenge<Challenge> {
  return { ...challenge, isCompleted: isChallengeCompleted(challenge) };
}

/**
 * What the profile shows at `now`: the recorded totals with the level's progress, the streak as
 * the user sees it on their today (the days ended since the latest practice day are decided here,
 * without waiting for a sweep), and the given challenges. A user never seen is at level 1 with
 * nothing earned.
 */
export function projectProfile<Challenge extends ChallengeState>(
  recorded: RecordedProfile | null,
  challenges: readonly Challenge[],
  now: Date,
  rules: { readonly levels: LevelRules; readonly streakFreeze: StreakFreezeRules },
): ProfileProjection<Challenge> {
  const { today } = profileDayOf(recorded, now);
  const streak = recorded === null ? StreakCalculator.on(NO_STREAK, today) : StreakCalculator.on(recorded, today);
  const totalXp = recorded?.totalXp ?? 0;
  const progress = new LevelCurve(rules.levels).progressAt(recorded?.level ?? 1, totalXp);
  return {
    level: progress.level,
    totalXp,
    xpIntoLevel: progress.xpIntoLevel,
    xpForNextLevel: progress.xpForNextLevel,
    currentStreak: streak.currentStreak,
    longestStreak: recorded?.longestStreak ?? 0,
    lastPracticeDate: recorded?.lastPracticeDate ?? null,
    streakFreezes: { held: streak.freezesHeld, max: rules.streakFreeze.maxHeld, earnEveryDays: rules.streakFreeze.earnEveryDays },
    frozenDays: streak.frozenDays,
    practicedToday: recorded !== null && recorded.lastPracticeDate === today,
    sessionsCompleted: recorded?.sessionsCompleted ?? 0,
    badges: recorded?.badges ?? [],
    challenges: challenges.map(projectChallenge),
  };
}
