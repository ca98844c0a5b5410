import { daysBetween, epochDay, type LocalDate } from '../time/local-date';

export interface StreakSummary {
  /** Consecutive practice days ending at the latest practice day. */
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: LocalDate | null;
}

export const NO_STREAK: StreakSummary = { currentStreak: 0, longestStreak: 0, lastPracticeDate: null };

/**
 * A streak is a function of the set of practice days alone, so late and
 * out-of-order events only add a day and the summary is computed again.
 */
export class StreakCalculator {
  static summarize(practiceDays: Iterable<LocalDate>): StreakSummary {
    const days = [...new Set(practiceDays)].map(epochDay).sort((a, b) => a - b);
    if (days.length === 0) {
      return NO_STREAK;
    }
    let longest = 1;
    let run = 1;
    for (let i = 1; i < days.length; i += 1) {
      run = days[i] === days[i - 1] + 1 ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    const lastPracticeDate = new Date(days[days.length - 1] * 86_400_000).toISOString().slice(0, 10);
    return { currentStreak: run, longestStreak: longest, lastPracticeDate };
  }

  /** The streak as the user sees it: 0 once today is more than one day past the last practice day. */
  static displayedStreak(summary: StreakSummary, today: LocalDate): number {
    if (summary.lastPracticeDate === null || daysBetween(summary.lastPracticeDate, today) > 1) {
      return 0;
    }
    return summary.currentStreak;
  }
}
