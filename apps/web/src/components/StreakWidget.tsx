import type { Profile, StreakFreezes } from '../types';
import { FlameIcon, SnowflakeIcon } from './icons';

type Props = Pick<Profile, 'currentStreak' | 'longestStreak' | 'lastPracticeDate' | 'practicedToday' | 'streakFreezes' | 'frozenDays'>;

type DayState = 'practised' | 'frozen' | 'outside';

interface StreakDay {
  date: string;
  state: DayState;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const NO_FREEZES: StreakFreezes = { held: 0, max: 0, earnEveryDays: 0 };

const DAY_TITLES: Record<DayState, (date: string) => string> = {
  practised: (date) => `Practised: ${date}`,
  frozen: (date) => `Frozen: ${date} — a freeze kept your streak`,
  outside: (date) => `Not in this streak: ${date}`,
};

/** The YYYY-MM-DD date `days` after `date` (before it when negative): plain UTC arithmetic, as a calendar date has no zone. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function weekday(date: string): string {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()];
}

/**
 * The 7 days that end on the current streak's last day (practised or frozen). Every day of a streak
 * is practised or frozen, so it spans `currentStreak + frozenDays.length` days, and its days that
 * are not frozen are the practised ones.
 */
function lastWeekOfStreak(currentStreak: number, lastPracticeDate: string | null, frozenDays: string[]): StreakDay[] {
  if (currentStreak === 0 || lastPracticeDate === null) {
    return [];
  }
  const lastFrozen = frozenDays.at(-1);
  const end = lastFrozen !== undefined && lastFrozen > lastPracticeDate ? lastFrozen : lastPracticeDate;
  const start = addDays(end, -(currentStreak + frozenDays.length - 1));
  const frozen = new Set(frozenDays);
  return Array.from({ length: 7 }, (_, index): StreakDay => {
    const date = addDays(end, index - 6);
    return { date, state: frozen.has(date) ? 'frozen' : date >= start ? 'practised' : 'outside' };
  });
}

function freezeTooltip({ max, earnEveryDays }: StreakFreezes): string {
  const every = earnEveryDays === 1 ? 'day' : `${earnEveryDays} days`;
  return `You earn a streak freeze every ${every} of streak (up to ${max} held). A day you miss uses one and keeps your streak.`;
}

/**
 * The current streak with a flame, its last 7 days (a frozen one with a snowflake), the longest, the
 * streak freezes held (not shown while freezes are off), and whether today (in the user's zone) is done.
 */
export function StreakWidget({
  currentStreak,
  longestStreak,
  lastPracticeDate,
  practicedToday,
  // An api from before streak freezes (CONTRACT.md section 8) sends neither: shown as freezes off.
  streakFreezes = NO_FREEZES,
  frozenDays = [],
}: Props) {
  const week = lastWeekOfStreak(currentStreak, lastPracticeDate, frozenDays);
  const { held, max } = streakFreezes;
  return (
    <section className="card streak" aria-labelledby="streak-heading">
      <h2 id="streak-heading">Streak</h2>
      <p className="streak-current">
        <FlameIcon lit={currentStreak > 0} />{' '}
        <span data-testid="current-streak">{currentStreak}</span> day{currentStreak === 1 ? '' : 's'}
      </p>
      <p className="caption">Longest: {longestStreak} day{longestStreak === 1 ? '' : 's'}</p>
      {week.length > 0 && (
        <ol className="streak-week" aria-label="The last 7 days of the streak">
          {week.map(({ date, state }) => (
            <li
              key={date}
              className={`streak-day is-${state}`}
              title={DAY_TITLES[state](date)}
              data-date={date}
              data-testid={state === 'frozen' ? 'frozen-day' : undefined}
            >
              <span aria-hidden="true">{weekday(date)}</span>
              {state === 'frozen' ? <SnowflakeIcon lit /> : <FlameIcon lit={state === 'practised'} />}
              <span className="visually-hidden">{DAY_TITLES[state](date)}</span>
            </li>
          ))}
        </ol>
      )}
      {max > 0 && (
        <div className="freezes-row">
          <button type="button" className="freezes" aria-label={`Streak freezes: ${held} of ${max} held`} aria-describedby="streak-freeze-tip">
            <SnowflakeIcon lit={held > 0} />
            <span data-testid="freezes-held">{`${held} of ${max}`}</span>
            <span className="freezes-label">freezes</span>
          </button>
          <span role="tooltip" id="streak-freeze-tip" className="tooltip">
            {freezeTooltip(streakFreezes)}
          </span>
        </div>
      )}
      <p className={practicedToday ? 'today done' : 'today'}>{practicedToday ? 'Practised today ✓' : 'Not practised yet today'}</p>
    </section>
  );
}
