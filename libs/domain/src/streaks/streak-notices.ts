import { dateOfEpochDay, endOfLocalDay, epochDay, localDateOf, localTimeOn, type LocalDate } from '../time/local-date';
import type { StreakSummary } from './streak-calculator';

/** streak.at_risk: the reminder time came, the streak is alive and today is not practised yet. */
export interface StreakAtRisk {
  readonly type: 'streak.at_risk';
  readonly localDate: LocalDate;
  readonly currentStreak: number;
  readonly freezesHeld: number;
  readonly dayEndsAt: Date;
}

/** streak.frozen: a day ended without practice and a freeze kept the streak. */
export interface StreakFrozen {
  readonly type: 'streak.frozen';
  readonly frozenDate: LocalDate;
  readonly currentStreak: number;
  readonly freezesHeld: number;
}

/** streak.lost: a day ended without practice, no freeze was held, and the streak fell to 0. */
export interface StreakLost {
  readonly type: 'streak.lost';
  readonly lostOn: LocalDate;
  readonly previousStreak: number;
}

export type StreakNotice = StreakAtRisk | StreakFrozen | StreakLost;

/** How far the notices of a user have gone: each date is announced once, whatever the zone does. */
export interface StreakNoticeCursor {
  /** The latest local date an at_risk was sent for. */
  readonly warnedOn: LocalDate | null;
  /** The latest local date whose end has been dealt with: no day end up to it is announced again. */
  readonly dayEndsThrough: LocalDate | null;
}

/** What the notices of a user are computed from: their streak as recorded, the zone their days are in, and the cursor. */
export interface StreakWatch {
  readonly summary: Pick<StreakSummary, 'currentStreak' | 'lastPracticeDate' | 'freezesHeld'>;
  readonly zone: string;
  readonly cursor: StreakNoticeCursor;
}

export interface StreakNoticesDue {
  /** In the order they happened. */
  readonly notices: readonly StreakNotice[];
  readonly cursor: StreakNoticeCursor;
  /** When the next notice can become due; null when none can until the user practises again. */
  readonly nextDueAt: Date | null;
}

const laterOf = (a: LocalDate | null, b: LocalDate): LocalDate => (a === null || a < b ? b : a);

/**
 * How long after a local midnight the day's end is announced. A session completed just before
 * midnight may still be on its way (a producer's delay, the consumer catching up after a restart),
 * and announcing "streak lost" to someone who practised is the one mistake a user notices; the
 * contract also lets completedAt run 5 minutes ahead of the engine's clock.
 */
export const DAY_END_GRACE_MS = 5 * 60_000;

/** A local date and its day number. */
interface LocalDay {
  readonly date: LocalDate;
  readonly number: number;
}

/** A sweep asks about two instants (now, and now less the grace); a run of sessions about a few more. */
const REMEMBERED_INSTANTS = 16;

/**
 * The clock-driven notices of contract section 8, from a user's recorded streak alone. After the
 * latest practice day L with h freezes held, days L+1 … L+h end frozen and day L+h+1 ends the
 * streak; each of those days, unpractised, gets an at_risk at the reminder time. A day end that
 * passed unannounced (the engine was down) is announced late; an at_risk only while its day lasts.
 */
export class StreakNotifier {
  // A run of sessions or a sweep asks for the local date of the same few instants in the same few
  // zones over and over: kept per instant, then zone, for the life of the notifier (a run, a sweep).
  // Nested maps, not a joined key: building and hashing a key string per call cost more than the rest.
  private readonly todays = new Map<number, Map<string, LocalDay>>();

  constructor(
    private readonly reminderLocalTime: string,
    private readonly dayEndGraceMs = DAY_END_GRACE_MS,
  ) {}

  private localDay(zone: string, now: Date): LocalDay {
    const at = now.getTime();
    let inZones = this.todays.get(at);
    if (inZones === undefined) {
      if (this.todays.size >= REMEMBERED_INSTANTS) {
        this.todays.clear();
      }
      inZones = new Map();
      this.todays.set(at, inZones);
    }
    let day = inZones.get(zone);
    if (day === undefined) {
      const date = localDateOf(now, zone);
      day = { date, number: epochDay(date) };
      inZones.set(zone, day);
    }
    return day;
  }

  private todayIn(zone: string, now: Date): LocalDate {
    return this.localDay(zone, now).date;
  }

  /** Everything due at `now`, the cursor past it, and the next instant to look again. */
  due(watch: StreakWatch, now: Date): StreakNoticesDue {
    const today = this.todayIn(watch.zone, now);
    const ended = this.dayEnds(watch, this.yesterday(watch.zone, this.announcedAt(now)));
    const notices: StreakNotice[] = [...ended.notices];
    let cursor = ended.cursor;
    const atRisk = this.atRisk(watch, today);
    if (atRisk !== null && now.getTime() >= localTimeOn(today, this.reminderLocalTime, watch.zone).getTime()) {
      notices.push(atRisk);
      cursor = { ...cursor, warnedOn: today };
    }
    return { notices, cursor, nextDueAt: this.nextDueAt({ ...watch, cursor }, now) };
  }

  /**
   * The ends of the days up to `through` not announced yet, as the recorded streak decides them. A
   * new practice day hides the days before it from later sweeps, so whoever records one announces
   * the ended days before it first, with the streak as it was.
   */
  private dayEnds(watch: StreakWatch, through: LocalDate): { readonly notices: readonly StreakNotice[]; readonly cursor: StreakNoticeCursor } {
    const { summary, cursor } = watch;
    const notices: StreakNotice[] = [];
    const pending = this.pending(watch);
    if (pending !== null) {
      const { last, lostDay, firstDayEnd } = pending;
      for (let day = firstDayEnd; day <= Math.min(epochDay(through), lostDay); day += 1) {
        notices.push(
          day < lostDay
            ? { type: 'streak.frozen', frozenDate: dateOfEpochDay(day), currentStreak: summary.currentStreak, freezesHeld: summary.freezesHeld - (day - last) }
            : { type: 'streak.lost', lostOn: dateOfEpochDay(day), previousStreak: summary.currentStreak },
        );
      }
    }
    return { notices, cursor: { ...cursor, dayEndsThrough: laterOf(cursor.dayEndsThrough, through) } };
  }

  /**
   * A user's streak was computed again at `now` (a session was recorded, or the rules changed).
   * `firstNewDay` is the earliest practice day added after the latest one before, if any: the days
   * before it that ended unannounced are announced now, with the streak as it was, even within the
   * grace after their end: the new practice day keeps them from any later sweep, and a notice says
   * what the engine knew when it was sent (contract section 8), so announcing now is the only way
   * to send it at least once. Days that ended before the engine knew of any practice of the user are
   * never announced. At-risk notices are left to the sweep, which the returned due instant brings
   * back in time.
   */
  settle(before: StreakWatch, after: Omit<StreakWatch, 'cursor'>, firstNewDay: LocalDate | null, now: Date): StreakNoticesDue {
    if (before.summary.lastPracticeDate === null) {
      return this.restate(before, after, now);
    }
    let notices: readonly StreakNotice[] = [];
    let cursor = before.cursor;
    if (firstNewDay !== null) {
      // A day has ended if it has in either zone: a user who flew east may have days behind them
      // that their old zone has not finished yet.
      const ended = Math.max(epochDay(this.yesterday(before.zone, now)), epochDay(this.yesterday(after.zone, now)));
      ({ notices, cursor } = this.dayEnds(before, dateOfEpochDay(Math.min(epochDay(firstNewDay) - 1, ended))));
    }
    return { notices, cursor, nextDueAt: this.nextDueAt({ ...after, cursor }, now) };
  }

  /**
   * A user's streak was recomputed without a new practice day (the rules changed, or a re-evaluation):
   * like a late event, that changes the past and announces nothing about it. The day ends owed at
   * `now` (ended, announceable, not announced yet: the sweep had not come by, or the worker was down)
   * are announced first, as the streak recorded before decides them, which is what a sweep a moment
   * earlier would have sent. Day ends from there on follow the new streak.
   */
  restate(before: StreakWatch, after: Omit<StreakWatch, 'cursor'>, now: Date): StreakNoticesDue {
    const announced = this.announcedAt(now);
    const owed = this.dayEnds(before, this.yesterday(before.zone, announced));
    const cursor = { ...owed.cursor, dayEndsThrough: laterOf(owed.cursor.dayEndsThrough, this.yesterday(after.zone, announced)) };
    return { notices: owed.notices, cursor, nextDueAt: this.nextDueAt({ ...after, cursor }, now) };
  }

  /** The instant whose ended days are announced at `now`: a day's end is announced once the grace after it is over. */
  private announcedAt(now: Date): Date {
    return new Date(now.getTime() - this.dayEndGraceMs);
  }

  private yesterday(zone: string, now: Date): LocalDate {
    return dateOfEpochDay(this.localDay(zone, now).number - 1);
  }

  /**
   * What a live streak still has coming, as day numbers: its latest practice day, the day whose end
   * loses it, and the first day whose end is not announced yet. Null without a live streak.
   */
  private pending({ summary, cursor }: StreakWatch): { readonly last: number; readonly lostDay: number; readonly firstDayEnd: number } | null {
    if (summary.lastPracticeDate === null || summary.currentStreak === 0) {
      return null;
    }
    const last = epochDay(summary.lastPracticeDate);
    const firstDayEnd = Math.max(last + 1, cursor.dayEndsThrough === null ? -Infinity : epochDay(cursor.dayEndsThrough) + 1);
    return { last, lostDay: last + summary.freezesHeld + 1, firstDayEnd };
  }

  /**
   * When a notice can next become due: the end of the first day not announced, or the reminder
   * time of the first day not warned, today or later, while the streak lasts. It may be in the past
   * (a day end not announced yet), and it is never after the notice it stands for.
   */
  nextDueAt(watch: StreakWatch, now: Date): Date | null {
    const pending = this.pending(watch);
    if (pending === null) {
      return null;
    }
    const { cursor, zone } = watch;
    const { last, lostDay, firstDayEnd } = pending;
    const warning = Math.max(last + 1, this.localDay(zone, now).number, cursor.warnedOn === null ? -Infinity : epochDay(cursor.warnedOn) + 1);
    const dayEnd = firstDayEnd <= lostDay ? endOfLocalDay(dateOfEpochDay(firstDayEnd), zone).getTime() + this.dayEndGraceMs : Infinity;
    const reminder = warning <= lostDay ? localTimeOn(dateOfEpochDay(warning), this.reminderLocalTime, zone).getTime() : Infinity;
    const next = Math.min(dayEnd, reminder);
    return next === Infinity ? null : new Date(next);
  }

  private atRisk(watch: StreakWatch, today: LocalDate): StreakAtRisk | null {
    const { summary, cursor, zone } = watch;
    if (summary.lastPracticeDate === null || summary.currentStreak === 0 || (cursor.warnedOn !== null && cursor.warnedOn >= today)) {
      return null;
    }
    const missed = epochDay(today) - epochDay(summary.lastPracticeDate) - 1;
    if (missed < 0 || missed > summary.freezesHeld) {
      return null;
    }
    return {
      type: 'streak.at_risk',
      localDate: today,
      currentStreak: summary.currentStreak,
      freezesHeld: summary.freezesHeld - missed,
      dayEndsAt: endOfLocalDay(today, zone),
    };
  }
}
