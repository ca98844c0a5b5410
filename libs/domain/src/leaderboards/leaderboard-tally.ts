import type { LeaderboardRules } from '../rules/gamification-rules';
import { isFinal, periodContaining, periodOfKey, type LeaderboardPeriod, type LeaderboardPeriodKind } from './leaderboard-period';

/**
 * XP as the boards see it (contract section 9): a counted session's XP counts toward the periods
 * that contain its `completedAt`, a claimed challenge's toward those that contain the claim.
 * `countsAt` is null for a session processed before facts were kept: its moment is unknown, so it
 * counts all time only. `decidedAt` is engine time, when the engine decided it.
 */
export interface LeaderboardXp {
  readonly xp: number;
  readonly countsAt: Date | null;
  readonly decidedAt: Date;
}

/**
 * A user's standing on one board in one period: their XP there and when they reached it (engine
 * time), the tie-break between equal XP.
 */
export interface BoardStanding {
  readonly code: string;
  readonly periodKey: string;
  readonly xp: number;
  readonly reachedAt: Date;
}

/** A board and period a user has a standing in. */
export interface BoardPeriodRef {
  readonly code: string;
  readonly periodKey: string;
}

function standingKey(code: string, periodKey: string): string {
  return `${code}\u001f${periodKey}`;
}

/** Sums XP into the rules' boards and periods; a period final at `now` takes nothing more. */
export class LeaderboardTally {
  // The period each board last found: a run's XP falls in one week and one month nearly always, and
  // finding a period in a zone is most of what the tally costs.
  private readonly lastPeriods = new Map<string, LeaderboardPeriod>();

  constructor(readonly rules: LeaderboardRules) {}

  /** The period of each board that XP counting at `countsAt` goes to; none but all time for null. */
  periodsOf(countsAt: Date | null): Array<{ readonly code: string; readonly period: LeaderboardPeriod }> {
    const periods: Array<{ readonly code: string; readonly period: LeaderboardPeriod }> = [];
    for (const board of this.rules.leaderboards) {
      if (countsAt !== null || board.period === 'all') {
        periods.push({ code: board.code, period: this.periodOf(board.code, board.period, countsAt ?? new Date(0)) });
      }
    }
    return periods;
  }

  private periodOf(code: string, kind: LeaderboardPeriodKind, instant: Date): LeaderboardPeriod {
    const last = this.lastPeriods.get(code);
    if (last !== undefined && (last.start === null || (instant >= last.start && instant < last.end!))) {
      return last;
    }
    const period = periodContaining(kind, instant, this.rules.leaderboardTimeZone);
    this.lastPeriods.set(code, period);
    return period;
  }

  /**
   * What XP decided at `now` adds to each board and period that is not final: one standing per
   * board and period, its XP the sum and its time `now` (for reaching a higher XP).
   */
  added(awards: readonly LeaderboardXp[], now: Date): BoardStanding[] {
    return this.sum(awards, now, () => now);
  }

  /**
   * A user's standings folded from all their XP, for every period not final at `now`, as absolute
   * values: each standing's time is the latest decision that added to it. `held` are the standings
   * the user has now; those of a board that is still in the rules, in a period not final, that the
   * fold no longer reaches (a recompute took their XP away) come back with XP 0.
   */
  restated(awards: readonly LeaderboardXp[], held: readonly BoardPeriodRef[], now: Date): BoardStanding[] {
    const folded = this.sum(awards, now, (decidedAt, before) => (before === undefined || decidedAt > before ? decidedAt : before));
    const reached = new Set(folded.map(({ code, periodKey }) => standingKey(code, periodKey)));
    const boards = new Map(this.rules.leaderboards.map((board) => [board.code, board]));
    const emptied = held.filter(({ code, periodKey }) => {
      const board = boards.get(code);
      if (board === undefined || reached.has(standingKey(code, periodKey))) {
        return false;
      }
      const period = periodOfKey(board.period, periodKey, this.rules.leaderboardTimeZone);
      return period !== null && !isFinal(period, this.rules.leaderboardGraceHours, now);
    });
    return [...folded, ...emptied.map(({ code, periodKey }) => ({ code, periodKey, xp: 0, reachedAt: now }))];
  }

  private sum(awards: readonly LeaderboardXp[], now: Date, timeOf: (decidedAt: Date, before: Date | undefined) => Date): BoardStanding[] {
    const standings = new Map<string, { code: string; periodKey: string; xp: number; reachedAt: Date }>();
    for (const { xp, countsAt, decidedAt } of awards) {
      if (xp <= 0) {
        continue;
      }
      for (const { code, period } of this.periodsOf(countsAt)) {
        if (isFinal(period, this.rules.leaderboardGraceHours, now)) {
          continue;
        }
        const key = standingKey(code, period.key);
        const before = standings.get(key);
        standings.set(key, { code, periodKey: period.key, xp: (before?.xp ?? 0) + xp, reachedAt: timeOf(decidedAt, before?.reachedAt) });
      }
    }
    return [...standings.values()];
  }
}
