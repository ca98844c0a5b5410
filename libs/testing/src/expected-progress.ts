import {
  badgeStats,
  isCountedSession,
  LevelCurve,
  localDateOf,
  newlyEarnedBadges,
  sessionXp,
  StreakCalculator,
  type GamificationRules,
} from '@app/domain';
import type { SessionCompletedMessage } from './session-completed.factory';

export interface ExpectedProgress {
  totalXp: number;
  level: number;
  sessionsCompleted: number;
  currentStreak: number;
  longestStreak: number;
  lastPracticeDate: string | null;
  badges: string[];
}

/**
 * What a user's totals must be, computed straight from the contract's rules over the set of unique
 * events: every metric is order-independent (sums, maxima, a set of days), so arrival order,
 * redeliveries and batching cannot change it.
 */
export function expectedProgress(rules: GamificationRules, events: readonly SessionCompletedMessage[], extraXp = 0): ExpectedProgress {
  const counted = events.filter((event) => isCountedSession({ durationSeconds: event.durationSeconds, score: event.score ?? null }, rules.xp));
  const totalXp = counted.reduce((sum, event) => sum + sessionXp({ durationSeconds: event.durationSeconds, score: event.score ?? null }, rules.xp), 0) + extraXp;
  const days = counted.map((event) => localDateOf(new Date(event.completedAt), event.timezone ?? 'UTC'));
  const streak = StreakCalculator.summarize(days);
  const level = new LevelCurve(rules.levels).levelFor(totalXp);
  const scores = counted.flatMap((event) => (typeof event.score === 'number' ? [event.score] : []));
  const badges = newlyEarnedBadges(
    rules.badges,
    badgeStats({
      sessionsCompleted: counted.length,
      longestStreak: streak.longestStreak,
      bestScore: scores.length === 0 ? null : Math.max(...scores),
      level,
    }),
    new Set(),
  ).map((badge) => badge.code);
  return {
    totalXp,
    level,
    sessionsCompleted: counted.length,
    currentStreak: streak.currentStreak,
    longestStreak: streak.longestStreak,
    lastPracticeDate: streak.lastPracticeDate,
    badges: badges.sort(),
  };
}

