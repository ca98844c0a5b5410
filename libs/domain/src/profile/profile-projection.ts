import { isChallengeCompleted, type ChallengeState } from '../challenges/daily-challenges';
import { LevelCurve } from '../levels/level-curve';
import type { LevelRules } from '../rules/gamification-rules';
import { StreakCalculator } from '../streaks/streak-calculator';
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
  /** 0 once the user's today is more than one day past the last practice day. */
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: LocalDate | null;
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
 * the user sees it in their zone, and the given challenges. A user never seen is at level 1 with
 * nothing earned.
 */
export function projectProfile<Challenge extends ChallengeState>(
  recorded: RecordedProfile | null,
  challenges: readonly Challenge[],
  now: Date,
  levels: LevelRules,
): ProfileProjection<Challenge> {
  const { today } = profileDayOf(recorded, now);
  const totalXp = recorded?.totalXp ?? 0;
  const progress = new LevelCurve(levels).progressAt(recorded?.level ?? 1, totalXp);
  return {
    level: progress.level,
    totalXp,
    xpIntoLevel: progress.xpIntoLevel,
    xpForNextLevel: progress.xpForNextLevel,
    currentStreak: recorded === null ? 0 : StreakCalculator.displayedStreak(recorded, today),
    longestStreak: recorded?.longestStreak ?? 0,
    lastPracticeDate: recorded?.lastPracticeDate ?? null,
    practicedToday: recorded !== null && recorded.lastPracticeDate === today,
    sessionsCompleted: recorded?.sessionsCompleted ?? 0,
    badges: recorded?.badges ?? [],
    challenges: challenges.map(projectChallenge),
  };
}
