import { dateOfEpochDay, endOfLocalDay, epochDay, localDateOf, type LocalDate } from '../time/local-date';

export const LEADERBOARD_PERIOD_KINDS = ['week', 'month', 'all'] as const;
export type LeaderboardPeriodKind = (typeof LEADERBOARD_PERIOD_KINDS)[number];

/** The key of the one period of an all-time board. */
export const ALL_TIME_KEY = 'all';

/**
 * One period of a board (contract section 9): an ISO week (Monday to Sunday) or a calendar month in
 * the boards' zone, keyed `2026-W48` or `2026-11`, or all time (no bounds). `end` is exclusive.
 */
export interface LeaderboardPeriod {
  readonly kind: LeaderboardPeriodKind;
  readonly key: string;
  readonly start: Date | null;
  readonly end: Date | null;
}

const ALL_TIME: LeaderboardPeriod = { kind: 'all', key: ALL_TIME_KEY, start: null, end: null };
const HOUR_MS = 3_600_000;
const WEEK_KEY = /^(\d{4})-W(\d{2})$/;
const MONTH_KEY = /^(\d{4})-(\d{2})$/;
// Keys are written with four-digit years; periods outside them have no key.
const FIRST_YEAR = 1000;
const LAST_YEAR = 9999;

function startOfLocalDay(date: LocalDate, zone: string): Date {
  return endOfLocalDay(dateOfEpochDay(epochDay(date) - 1), zone);
}

/** Monday is 0; 1970-01-01 (day 0) was a Thursday. */
function isoWeekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** The ISO week key of the week whose Monday is the given day: the year is the year of its Thursday. */
function weekKeyOfMonday(monday: number): string {
  const thursday = dateOfEpochDay(monday + 3);
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor((monday + 3 - epochDay(`${thursday.slice(0, 4)}-01-01`)) / 7) + 1;
  return `${year}-W${twoDigits(week)}`;
}

function weekStartingOn(monday: number, zone: string): LeaderboardPeriod {
  return {
    kind: 'week',
    key: weekKeyOfMonday(monday),
    start: startOfLocalDay(dateOfEpochDay(monday), zone),
    end: startOfLocalDay(dateOfEpochDay(monday + 7), zone),
  };
}

function month(year: number, monthOfYear: number, zone: string): LeaderboardPeriod {
  const next = monthOfYear === 12 ? { year: year + 1, month: 1 } : { year, month: monthOfYear + 1 };
  return {
    kind: 'month',
    key: `${year}-${twoDigits(monthOfYear)}`,
    start: startOfLocalDay(`${year}-${twoDigits(monthOfYear)}-01`, zone),
    end: startOfLocalDay(`${next.year}-${twoDigits(next.month)}-01`, zone),
  };
}

/** The period of a board of this kind that contains the instant, in the boards' zone. */
export function periodContaining(kind: LeaderboardPeriodKind, instant: Date, zone: string): LeaderboardPeriod {
  if (kind === 'all') {
    return ALL_TIME;
  }
  const date = localDateOf(instant, zone);
  if (kind === 'week') {
    const day = epochDay(date);
    return weekStartingOn(day - isoWeekday(day), zone);
  }
  return month(Number(date.slice(0, 4)), Number(date.slice(5, 7)), zone);
}

/** The period a key names, or null when the key is not one of this kind's (`2027-W53` does not exist). */
export function periodOfKey(kind: LeaderboardPeriodKind, key: string, zone: string): LeaderboardPeriod | null {
  if (kind === 'all') {
    return key === ALL_TIME_KEY ? ALL_TIME : null;
  }
  const match = (kind === 'week' ? WEEK_KEY : MONTH_KEY).exec(key);
  if (match === null) {
    return null;
  }
  const year = Number(match[1]);
  const number = Number(match[2]);
  if (year < FIRST_YEAR || year > LAST_YEAR) {
    return null;
  }
  if (kind === 'month') {
    return number >= 1 && number <= 12 ? month(year, number, zone) : null;
  }
  // Week 1 is the week with the year's first Thursday, so it holds January 4th.
  const january4 = epochDay(`${year}-01-04`);
  const monday = january4 - isoWeekday(january4) + 7 * (number - 1);
  const period = number >= 1 ? weekStartingOn(monday, zone) : null;
  return period !== null && period.key === key ? period : null;
}

/** The period before this one; null for all time, which has none. */
export function previousPeriod(period: LeaderboardPeriod, zone: string): LeaderboardPeriod | null {
  if (period.kind === 'all' || period.start === null) {
    return null;
  }
  const [year, number] = period.key.split(/-W?/).map(Number);
  if (period.kind === 'month') {
    return number === 1 ? month(year - 1, 12, zone) : month(year, number - 1, zone);
  }
  const monday = epochDay(localDateOf(period.start, zone));
  return weekStartingOn(monday - 7, zone);
}

/** The instant from which a period is final: `graceHours` after its end. All time never is. */
export function finalAt(period: LeaderboardPeriod, graceHours: number): Date | null {
  return period.end === null ? null : new Date(period.end.getTime() + graceHours * HOUR_MS);
}

export function isFinal(period: LeaderboardPeriod, graceHours: number, now: Date): boolean {
  const final = finalAt(period, graceHours);
  return final !== null && now.getTime() >= final.getTime();
}
