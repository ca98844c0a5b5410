/**
 * What the boards must show, written from the text of contract section 9 (with its default rules:
 * the three boards, zone UTC, 12 grace hours) and nothing of the engine's: periods are computed here
 * from UTC calendar arithmetic, the XP of a session is section 4's formula (contractSessionXp), and
 * userIds compare by their UTF-8 bytes (code point order), as Redis and Postgres' COLLATE "C" do.
 *
 * The input is what the engine was given, run by run: the sessions of each run and the engine time
 * (the clock's now) at which the run was applied. The first message with an eventId is the event; a
 * later one with that id, in the same run or another, adds nothing.
 */
import { contractSessionXp, type ReferenceEvent } from './contract-reference';

export type ReferencePeriodKind = 'week' | 'month' | 'all';

export interface ReferenceBoardDefinition {
  readonly code: string;
  readonly name: string;
  readonly period: ReferencePeriodKind;
}

/** Section 9's default `leaderboards`. */
export const CONTRACT_LEADERBOARDS: readonly ReferenceBoardDefinition[] = [
  { code: 'WEEKLY_XP', name: 'This week', period: 'week' },
  { code: 'MONTHLY_XP', name: 'This month', period: 'month' },
  { code: 'ALL_TIME_XP', name: 'All time', period: 'all' },
];
/** Section 9's default `leaderboardGraceHours` (the zone is UTC). */
export const CONTRACT_LEADERBOARD_GRACE_HOURS = 12;

/** One run of the engine: sessions applied together, at one engine time. */
export interface ReferenceRun {
  readonly now: Date;
  readonly events: readonly ReferenceEvent[];
}

/** A period of a board in UTC: `end` is exclusive; all time has no bounds. Times in epoch milliseconds. */
export interface ReferencePeriod {
  readonly key: string;
  readonly start: number | null;
  readonly end: number | null;
}

/** A user's standing on a board in a period: XP there, and the engine time at which they reached it. */
export interface ReferenceStanding {
  readonly userId: string;
  readonly xp: number;
  /** Epoch milliseconds. */
  readonly reachedAt: number;
}

/** A board as section 9's GET shows it (ranks 1-based); what a page or `around=me` must answer. */
export interface ReferenceBoardView {
  readonly participants: number;
  readonly entries: ReadonlyArray<{ readonly rank: number; readonly userId: string; readonly xp: number }>;
  readonly me: { readonly rank: number; readonly xp: number } | null;
}

export type ReferencePage = { readonly around: true } | { readonly around: false; readonly offset: number; readonly limit: number };

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** "With around=me, entries are the caller and up to 5 above and 5 below." */
const AROUND = 5;

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * The ISO week (Monday to Sunday, UTC) that holds the instant. Week 1 of a year is the week with
 * its first Thursday, so a week belongs to the year of its Thursday, and its number counts the
 * Thursdays of that year up to its own.
 */
function isoWeekOf(instant: number): ReferencePeriod {
  const date = new Date(instant);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  // getUTCDay: Sunday 0 … Saturday 6; days since Monday: Monday 0 … Sunday 6.
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  const monday = midnight - sinceMonday * DAY_MS;
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const thursdayOfYear = Math.round((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS);
  const week = Math.floor(thursdayOfYear / 7) + 1;
  return { key: `${year}-W${twoDigits(week)}`, start: monday, end: monday + 7 * DAY_MS };
}

function monthOf(instant: number): ReferencePeriod {
  const date = new Date(instant);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return { key: `${year}-${twoDigits(month + 1)}`, start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
}

/** The period of a board of this kind that holds the instant (the boards' zone is UTC). */
export function referencePeriodOf(kind: ReferencePeriodKind, instant: Date | number): ReferencePeriod {
  const at = typeof instant === 'number' ? instant : instant.getTime();
  if (kind === 'all') {
    return { key: 'all', start: null, end: null };
  }
  return kind === 'week' ? isoWeekOf(at) : monthOf(at);
}

/** "A period is final leaderboardGraceHours after it ends"; all time never is. */
export function referenceIsFinal(period: ReferencePeriod, now: Date | number, graceHours = CONTRACT_LEADERBOARD_GRACE_HOURS): boolean {
  const at = typeof now === 'number' ? now : now.getTime();
  return period.end !== null && at >= period.end + graceHours * HOUR_MS;
}

/** userId ascending, by UTF-8 bytes: code point order (not JavaScript's UTF-16 `<`, nor a locale's). */
export function compareUserIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Section 9's order: XP highest first; equal XP, who reached it first; then userId ascending. Only
 * standings with XP above 0 are on the board.
 */
export function rankStandings(standings: Iterable<ReferenceStanding>): ReferenceStanding[] {
  return [...standings]
    .filter((standing) => standing.xp > 0)
    .sort((a, b) => {
      if (a.xp !== b.xp) {
        return a.xp > b.xp ? -1 : 1;
      }
      if (a.reachedAt !== b.reachedAt) {
        return a.reachedAt < b.reachedAt ? -1 : 1;
      }
      return compareUserIds(a.userId, b.userId);
    });
}

/**
 * Every board's rankings, by board code and period key: a counted session's XP goes to the period of
 * each board that holds its `completedAt`, unless that period is final at the run's engine time (it
 * still counts toward the periods that are not). A standing's `reachedAt` is the engine time of the
 * last run that added XP to it.
 */
export function referenceLeaderboards(
  runs: readonly ReferenceRun[],
  boards: readonly ReferenceBoardDefinition[] = CONTRACT_LEADERBOARDS,
  graceHours = CONTRACT_LEADERBOARD_GRACE_HOURS,
): Map<string, Map<string, ReferenceStanding[]>> {
  const seen = new Set<string>();
  const standings = new Map<string, Map<string, Map<string, ReferenceStanding>>>(boards.map((board) => [board.code, new Map()]));
  for (const { now, events } of runs) {
    for (const event of events) {
      if (seen.has(event.eventId)) {
        continue;
      }
      seen.add(event.eventId);
      const xp = contractSessionXp(event);
      if (xp <= 0) {
        continue;
      }
      for (const board of boards) {
        const period = referencePeriodOf(board.period, Date.parse(event.completedAt));
        if (referenceIsFinal(period, now, graceHours)) {
          continue;
        }
        const periods = standings.get(board.code)!;
        const users = periods.get(period.key) ?? new Map<string, ReferenceStanding>();
        periods.set(period.key, users);
        const before = users.get(event.userId);
        users.set(event.userId, { userId: event.userId, xp: (before?.xp ?? 0) + xp, reachedAt: now.getTime() });
      }
    }
  }
  return new Map([...standings].map(([code, periods]) => [code, new Map([...periods].map(([key, users]) => [key, rankStandings(users.values())]))]));
}

/** What a page of a ranked board shows a user: a page from `offset`, or them and up to 5 above and below. */
export function referenceBoardView(ranking: readonly ReferenceStanding[], userId: string, page: ReferencePage): ReferenceBoardView {
  const position = ranking.findIndex((standing) => standing.userId === userId);
  const me = position < 0 ? null : { rank: position + 1, xp: ranking[position].xp };
  const row = (standing: ReferenceStanding, index: number, from: number) => ({ rank: from + index + 1, userId: standing.userId, xp: standing.xp });
  if (page.around) {
    if (position < 0) {
      return { participants: ranking.length, entries: [], me };
    }
    const from = Math.max(0, position - AROUND);
    return { participants: ranking.length, entries: ranking.slice(from, position + AROUND + 1).map((standing, index) => row(standing, index, from)), me };
  }
  return {
    participants: ranking.length,
    entries: ranking.slice(page.offset, page.offset + page.limit).map((standing, index) => row(standing, index, page.offset)),
    me,
  };
}
