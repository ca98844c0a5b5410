/** Calendar dates (YYYY-MM-DD) as the api sends them: days in the user's zone, so plain UTC arithmetic, as a calendar date has no zone. */

export const DAY_MS = 86_400_000;

/** The YYYY-MM-DD date `days` after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days since 1970-01-01: a number to place a date on an axis. */
export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** The Monday of the ISO week of `date`. */
export function mondayOf(date: string): string {
  const sundayFirst = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((sundayFirst + 6) % 7));
}

/** The date at the instant `now` in the IANA zone `timeZone` (UTC when the zone is unknown to this browser). */
export function dateIn(now: Date, timeZone: string): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    format = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

// Made once: a formatter is costly to make, and the calendar names 364 days at each render.
const LONG = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
const SHORT = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
const MONTH = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', month: 'short' });

/** A date for people, in their locale: `Tue, Nov 25, 2026` (en-US) or `Tue 25 Nov 2026` (en-GB). */
export function longDate(date: string): string {
  return LONG.format(Date.parse(`${date}T00:00:00Z`));
}

/** A date for people without its weekday: `Nov 23, 2026`. */
export function shortDate(date: string): string {
  return SHORT.format(Date.parse(`${date}T00:00:00Z`));
}

/** The month's short name of `date`: `Nov`. */
export function monthName(date: string): string {
  return MONTH.format(Date.parse(`${date}T00:00:00Z`));
}

/** Whole minutes of practice, rounded to the nearest. */
export function minutes(seconds: number): number {
  return Math.round(seconds / 60);
}

export function plural(count: number, word: string): string {
  return `${count.toLocaleString()} ${word}${count === 1 ? '' : 's'}`;
}
