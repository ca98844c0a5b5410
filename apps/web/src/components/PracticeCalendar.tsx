import { useCallback, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { addDays, dateIn, longDate, minutes, mondayOf, monthName, plural } from '../dates';
import type { Loadable } from '../load';
import type { PracticeAnalytics, PracticeDay } from '../types';
import { ChartTable } from './ChartTable';
import { LoadState } from './LoadState';

interface Props {
  analytics: Loadable<PracticeAnalytics>;
  /** The present instant: today is its date in the user's zone (the analytics' timezone). */
  now: Date;
}

/** Columns of the heat map: the 52 weeks (Monday to Sunday) that end with today's. */
const WEEKS = 52;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
/** The weekdays named beside the rows (the others stay unnamed, as there is room for only every other one). */
const NAMED_WEEKDAYS = new Set([0, 2, 4]);

/** The colour steps, by minutes of practice on the day: none, then under 15, under 30 (the daily challenge), under 60, and an hour or more. */
const LEVELS = ['No practice', 'Under 15 minutes', '15 to 29 minutes', '30 to 59 minutes', '60 minutes or more'];

function levelOf(day: PracticeDay | undefined): number {
  if (day === undefined || day.sessions === 0) {
    return 0;
  }
  const practised = minutes(day.practiceSeconds);
  return practised >= 60 ? 4 : practised >= 30 ? 3 : practised >= 15 ? 2 : 1;
}

function practiceText(day: PracticeDay | undefined): string {
  if (day === undefined || day.sessions === 0) {
    return 'No practice';
  }
  return `${plural(day.sessions, 'session')} · ${minutes(day.practiceSeconds).toLocaleString()} min · ${day.xp.toLocaleString()} XP`;
}

function durationText(seconds: number): string {
  const total = minutes(seconds);
  const hours = Math.floor(total / 60);
  return hours === 0 ? `${total} min` : `${hours.toLocaleString()} h ${total % 60} min`;
}

/** The 52 weeks up to today's: the first Monday, and each column's Monday. */
function weeksUpTo(today: string): string[] {
  const first = addDays(mondayOf(today), -(WEEKS - 1) * 7);
  return Array.from({ length: WEEKS }, (_, week) => addDays(first, week * 7));
}

/** A month's name above the first week that starts in it (not above the first column, unless a whole month's weeks follow). */
function monthLabels(mondays: string[]): (string | null)[] {
  return mondays.map((monday, week) => {
    const starts = week === 0 ? monday.slice(8) <= '22' : monday.slice(0, 7) !== mondays[week - 1].slice(0, 7);
    return starts ? monthName(monday) : null;
  });
}

interface TipPlace {
  left: number;
  top: number;
  align: 'start' | 'middle' | 'end';
}

/** The days of the analytics in the 52 weeks up to today, with a session. */
function practisedDays(analytics: PracticeAnalytics, today: string): PracticeDay[] {
  const first = weeksUpTo(today)[0];
  return analytics.days.filter((day) => day.date >= first && day.date <= today && day.sessions > 0);
}

function CalendarView({ practised, today }: { practised: PracticeDay[]; today: string }) {
  const mondays = weeksUpTo(today);
  const first = mondays[0];
  const byDate = new Map(practised.map((day) => [day.date, day]));

  const [active, setActive] = useState(today);
  const [hovered, setHovered] = useState<string | null>(null);
  const [focused, setFocused] = useState<string | null>(null);
  const [place, setPlace] = useState<TipPlace | null>(null);
  const frame = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const shown = hovered ?? focused;
  // The roving tab stop stays in the range when today moves on (a refresh after midnight).
  const tabStop = active >= first && active <= today ? active : today;

  // Today's week, the last column, in view at first: on a phone the weeks before it are a scroll away.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element !== null) {
      element.scrollLeft = element.scrollWidth;
    }
  }, []);

  // The tooltip sits above its day, kept inside the card at either end; placed again when the weeks scroll.
  const placeTip = useCallback(() => {
    const cell = shown === null ? null : grid.current?.querySelector(`[data-date="${shown}"]`);
    if (!cell || frame.current === null) {
      setPlace(null);
      return;
    }
    const box = frame.current.getBoundingClientRect();
    const at = cell.getBoundingClientRect();
    const left = at.left - box.left + at.width / 2;
    setPlace({ left, top: at.top - box.top, align: left < 110 ? 'start' : left > box.width - 110 ? 'end' : 'middle' });
  }, [shown]);
  useLayoutEffect(placeTip, [placeTip]);

  const moveTo = (date: string) => {
    if (date < first || date > today) {
      return;
    }
    setActive(date);
    grid.current?.querySelector<HTMLElement>(`[data-date="${date}"]`)?.focus();
  };

  // Arrow keys move a day (up, down) or a week (left, right); Home and End go to the first day and to today.
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const steps: Record<string, number> = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: -7, ArrowRight: 7 };
    const to = event.key === 'Home' ? first : event.key === 'End' ? today : steps[event.key] === undefined ? null : addDays(tabStop, steps[event.key]);
    if (to === null) {
      return;
    }
    event.preventDefault();
    moveTo(to);
  };

  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget)) {
      setFocused(null);
    }
  };

  const labels = monthLabels(mondays);
  const tipDay = shown === null ? undefined : byDate.get(shown);

  return (
    <>
      <p className="caption calendar-summary">
        <span>{plural(practised.length, 'day')} practised in the last 52 weeks</span> ·{' '}
        <span>{durationText(practised.reduce((sum, day) => sum + day.practiceSeconds, 0))}</span> ·{' '}
        <span>{practised.reduce((sum, day) => sum + day.xp, 0).toLocaleString()} XP</span>
      </p>
      <div className="heatmap-frame" ref={frame}>
        <div className="heatmap-scroll" ref={scroller} onScroll={placeTip}>
          <div className="heatmap">
            <div className="heatmap-months" aria-hidden="true">
              <span className="heatmap-weekday" />
              {labels.map((label, week) => (
                <span key={mondays[week]} className="heatmap-month">
                  {label}
                </span>
              ))}
            </div>
            <div
              ref={grid}
              role="grid"
              aria-label="Practice per day, the last 52 weeks: a row for each weekday, a column for each week"
              aria-readonly="true"
              className="heatmap-grid"
              onKeyDown={onKey}
              onBlur={onBlur}
              onMouseLeave={() => setHovered(null)}
            >
              {WEEKDAYS.map((weekday, row) => (
                <div role="row" className="heatmap-row" key={weekday}>
                  <span role="rowheader" className="heatmap-weekday">
                    <span aria-hidden="true">{NAMED_WEEKDAYS.has(row) ? weekday.slice(0, 3) : ''}</span>
                    <span className="visually-hidden">{weekday}</span>
                  </span>
                  {mondays.map((monday) => {
                    const date = addDays(monday, row);
                    if (date > today) {
                      return <span key={date} className="heatmap-day is-future" aria-hidden="true" />;
                    }
                    const day = byDate.get(date);
                    const level = levelOf(day);
                    return (
                      <span
                        key={date}
                        role="gridcell"
                        tabIndex={date === tabStop ? 0 : -1}
                        className={`heatmap-day level-${level}${date === today ? ' is-today' : ''}`}
                        data-date={date}
                        data-level={level}
                        aria-label={`${longDate(date)}: ${practiceText(day)}`}
                        aria-current={date === today ? 'date' : undefined}
                        onFocus={() => {
                          setActive(date);
                          setFocused(date);
                        }}
                        onMouseEnter={() => setHovered(date)}
                        onClick={() => moveTo(date)}
                      />
                    );
                  })}
                </div>
              ))}
            </div>
          </div>
        </div>
        {shown !== null && (
          <div
            role="tooltip"
            className={`heatmap-tip is-${place?.align ?? 'middle'}`}
            style={place === null ? undefined : { left: place.left, top: place.top }}
            data-date={shown}
          >
            <strong>{longDate(shown)}</strong>
            <span>{practiceText(tipDay)}</span>
          </div>
        )}
        <div className="heatmap-legend" aria-hidden="true">
          <span>Less</span>
          {LEVELS.map((name, level) => (
            <span key={name} className={`heatmap-day level-${level}`} title={name} />
          ))}
          <span>More</span>
        </div>
      </div>
      <ChartTable what="the practice calendar">
        <table className="data-table">
          <caption>Days practised in the last 52 weeks (the other days had no practice)</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Sessions</th>
              <th scope="col">Minutes</th>
              <th scope="col">XP</th>
            </tr>
          </thead>
          <tbody>
            {practised.map((day) => (
              <tr key={day.date}>
                <th scope="row">{longDate(day.date)}</th>
                <td>{day.sessions.toLocaleString()}</td>
                <td>{minutes(day.practiceSeconds).toLocaleString()}</td>
                <td>{day.xp.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ChartTable>
    </>
  );
}

function Calendar({ analytics, now }: { analytics: PracticeAnalytics; now: Date }) {
  const today = dateIn(now, analytics.timezone);
  const practised = practisedDays(analytics, today);
  return practised.length === 0 ? (
    <p className="caption">No practice in the last 52 weeks yet. Each day you practise gets its square here.</p>
  ) : (
    <CalendarView practised={practised} today={today} />
  );
}

/**
 * A heat map of the last 52 weeks of practice (weeks as columns, Monday at the top, today's week last),
 * each day coloured by its minutes of practice, with its figures in a tooltip on hover and on keyboard
 * focus; and the days practised as a table.
 */
export function PracticeCalendar({ analytics, now }: Props) {
  return (
    <section className="card calendar" aria-labelledby="calendar-heading" data-testid="practice-calendar">
      <h2 id="calendar-heading">Practice calendar</h2>
      <LoadState loadable={analytics}>{(value) => <Calendar analytics={value} now={now} />}</LoadState>
    </section>
  );
}
