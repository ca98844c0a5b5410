import type { StreakFreezeRules } from '../rules/gamification-rules';
import { dateOfEpochDay, epochDay, type LocalDate } from '../time/local-date';

/** A user's streak as the set of their practice days leaves it at the end of the latest one (contract section 8). */
export interface StreakSummary {
  /** The streak at the end of the latest practice day: practice days since it last fell to 0 (frozen days add nothing). */
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: LocalDate | null;
  /** Freezes held at the end of the latest practice day. */
  readonly freezesHeld: number;
  /** The frozen days of the streak that runs through the latest practice day, oldest first. */
  readonly frozenDays: readonly LocalDate[];
}

/** The streak on the user's current local day: ended days after the latest practice day have used freezes or ended it. */
export interface StreakToday {
  readonly currentStreak: number;
  readonly freezesHeld: number;
  readonly frozenDays: readonly LocalDate[];
}

export const NO_STREAK: StreakSummary = { currentStreak: 0, longestStreak: 0, lastPracticeDate: null, freezesHeld: 0, frozenDays: [] };


/**
 * The streak is a function of the set of practice days and the freeze rules alone, walked day by
 * day from the first practice day: late and out-of-order events only add a day, and everything is
 * computed again. A gap between two practice days is decided at once: its days use the freezes
 * held, one each, and the first day beyond them ends the streak.
 */
export class StreakCalculator {
  static summarize(practiceDays: Iterable<LocalDate>, freeze: StreakFreezeRules): StreakSummary {
    const days = [...new Set(practiceDays)].map(epochDay).sort((a, b) => a - b);
    if (days.length === 0) {
      return NO_STREAK;
    }
    let streak = 0;
    let longest = 0;
    let held = 0;
    let frozen: number[] = [];
    for (let i = 0; i < days.length; i += 1) {
      const missed = i === 0 ? 0 : days[i] - days[i - 1] - 1;
      if (missed > 0) {
        if (missed <= held) {
          held -= missed;
          for (let day = days[i - 1] + 1; day < days[i]; day += 1) {
            frozen.push(day);
          }
        } else {
          streak = 0;
          held = 0;
          frozen = [];
        }
      }
      streak += 1;
      if (streak % freeze.earnEveryDays === 0 && held < freeze.maxHeld) {
        held += 1;
      }
      longest = Math.max(longest, streak);
    }
    return {
      currentStreak: streak,
      longestStreak: longest,
      lastPracticeDate: dateOfEpochDay(days[days.length - 1]),
      freezesHeld: held,
      frozenDays: frozen.map(dateOfEpochDay),
    };
  }

  /** The streak on `today`: each ended day since the latest practice day used a freeze, until none was left. */
  static on(summary: StreakSummary, today: LocalDate): StreakToday {
    if (summary.lastPracticeDate === null) {
      return { currentStreak: 0, freezesHeld: 0, frozenDays: [] };
    }
    const last = epochDay(summary.lastPracticeDate);
    const missed = Math.max(0, epochDay(today) - last - 1);
    if (missed > summary.freezesHeld) {
      return { currentStreak: 0, freezesHeld: 0, frozenDays: [] };
    }
    const tail = Array.from({ length: missed }, (_, index) => dateOfEpochDay(last + 1 + index));
    return {
      currentStreak: summary.currentStreak,
      freezesHeld: summary.freezesHeld - missed,
      frozenDays: tail.length === 0 ? summary.frozenDays : [...summary.frozenDays, ...tail],
    };
  }
}
