import { dateOfEpochDay, endOfLocalDay, epochDay, type LocalDate } from '../time/local-date';

/** One local day's counted sessions. */
export interface DailyPractice {
  readonly date: LocalDate;
  readonly sessions: number;
  readonly practiceSeconds: number;
  readonly xp: number;
  /** The sum of the day's scores and how many of its sessions had one. */
  readonly scoreSum: number;
  readonly scored: number;
  /** The average of the user's last 10 scored sessions up to the end of the day; null without a scored session that day. */
  readonly scoreTrend: number | null;
}

export interface PracticeTotals {
  readonly sessions: number;
  readonly practiceSeconds: number;
  readonly xp: number;
  /** To one decimal; null without a scored session. */
  readonly averageScore: number | null;
}

/** `GET /gamification/analytics` (contract section 10). */
export interface PracticeAnalytics {
  readonly timezone: string;
  /** Only days with counted sessions, oldest first. */
  readonly days: ReadonlyArray<{ readonly date: LocalDate } & PracticeTotals>;
  /** Every ISO week the range touches, Monday first, oldest first; a week's figures cover its days in the range. */
  readonly weeks: ReadonlyArray<{ readonly weekStart: LocalDate } & PracticeTotals>;
  readonly scoreTrend: ReadonlyArray<{ readonly date: LocalDate; readonly average: number }>;
}

export const MAX_ANALYTICS_DAYS = 366;

const oneDecimal = (value: number) => Math.round(value * 10) / 10;

/** The local dates of the last `days` days up to and including `today`, oldest first. */
export function analyticsRange(today: LocalDate, days: number): LocalDate[] {
  const last = epochDay(today);
  return Array.from({ length: days }, (_, index) => dateOfEpochDay(last - days + 1 + index));
}

/** The first instant of each date in the zone, then the end of the last: the bounds a session's instant is placed by. */
export function dayStarts(dates: readonly LocalDate[], zone: string): Date[] {
  const starts = dates.map((date) => endOfLocalDay(dateOfEpochDay(epochDay(date) - 1), zone));
  return [...starts, endOfLocalDay(dates[dates.length - 1], zone)];
}

/** The Monday of the ISO week holding the date. */
export function isoWeekStart(date: LocalDate): LocalDate {
  const day = epochDay(date);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counted from Monday.
  return dateOfEpochDay(day - ((((day + 3) % 7) + 7) % 7));
}

function totals(days: readonly DailyPractice[]): PracticeTotals {
  const scored = days.reduce((sum, day) => sum + day.scored, 0);
  return {
    sessions: days.reduce((sum, day) => sum + day.sessions, 0),
    practiceSeconds: days.reduce((sum, day) => sum + day.practiceSeconds, 0),
    xp: days.reduce((sum, day) => sum + day.xp, 0),
    averageScore: scored === 0 ? null : oneDecimal(days.reduce((sum, day) => sum + day.scoreSum, 0) / scored),
  };
}

/** The analytics of a range of dates (`analyticsRange`) from the days of it that had counted sessions. */
export function practiceAnalytics(timezone: string, range: readonly LocalDate[], practised: readonly DailyPractice[]): PracticeAnalytics {
  const byWeek = new Map<LocalDate, DailyPractice[]>();
  for (const date of range) {
    byWeek.set(isoWeekStart(date), []);
  }
  for (const day of practised) {
    byWeek.get(isoWeekStart(day.date))!.push(day);
  }
  return {
    timezone,
    days: practised.map((day) => ({ date: day.date, ...totals([day]) })),
    weeks: [...byWeek].map(([weekStart, days]) => ({ weekStart, ...totals(days) })),
    scoreTrend: practised.filter((day) => day.scoreTrend !== null).map((day) => ({ date: day.date, average: oneDecimal(day.scoreTrend!) })),
  };
}
