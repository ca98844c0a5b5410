import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { longDate, shortDate } from '../dates';
import type { Loadable } from '../load';
import type { PracticeAnalytics, PracticeDay } from '../types';
import { PracticeCalendar } from './PracticeCalendar';
import { PracticeWidgets } from './PracticeWidgets';
import { analyticsUpTo, noPracticeUpTo } from './practice.fixtures';
import { TrendChart } from './TrendChart';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

// Wednesday 25 November 2026, 19:00 in Berlin.
const NOW = new Date('2026-11-25T18:00:00Z');
const TODAY = '2026-11-25';

const day = (date: string, sessions: number, minutes: number, xp: number, averageScore: number | null = 80): PracticeDay => ({
  date,
  sessions,
  practiceSeconds: minutes * 60,
  xp,
  averageScore,
});

// Days of this week and last, one of each colour step, and five days off; a day of the range older than the 52 weeks;
// the rest of the year as the fixture makes it.
const thisWeek = [day('2026-11-16', 1, 10, 90), day('2026-11-18', 1, 20, 110), day('2026-11-24', 2, 59, 200), day(TODAY, 2, 45, 230)];
const withLastWeekOff = [...thisWeek, day('2025-11-28', 1, 30, 140), day('2026-11-17', 3, 75, 290), ...['2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23'].map((date) => day(date, 0, 0, 0))];
const analytics = analyticsUpTo(TODAY, withLastWeekOff);
const loaded = (value: PracticeAnalytics): Loadable<PracticeAnalytics> => ({ status: 'loaded', value });

const n = (value: number) => value.toLocaleString();
const cell = (date: string) => document.querySelector<HTMLElement>(`[role="gridcell"][data-date="${date}"]`)!;
const tooltip = () => screen.queryByRole('tooltip');
const rowsOf = (table: HTMLElement) => within(table).getAllByRole('row').slice(1).map((row) => Array.from(row.children, (c) => c.textContent).join(' | '));

describe('PracticeCalendar', () => {
  it('says it is loading', () => {
    render(<PracticeCalendar analytics={{ status: 'loading' }} now={NOW} />);
    expect(screen.getByRole('heading', { name: 'Practice calendar' })).toBeTruthy();
    expect(screen.getByText('Loading…')).toBeTruthy();
    expect(screen.queryByRole('grid')).toBeNull();
  });

  it('reports an error of the api in words', () => {
    render(<PracticeCalendar analytics={{ status: 'failed', message: 'Analytics are unavailable right now.' }} now={NOW} />);
    expect(screen.getByRole('alert').textContent).toBe('Analytics are unavailable right now.');
    expect(screen.queryByRole('grid')).toBeNull();
  });

  it('says there is no practice yet for a user without sessions, with no empty table', () => {
    render(<PracticeCalendar analytics={loaded(noPracticeUpTo(TODAY))} now={NOW} />);
    expect(screen.getByText(/^No practice in the last 52 weeks yet/)).toBeTruthy();
    expect(screen.queryByRole('grid')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('lays the last 52 weeks out as columns, Monday on top, ending with today’s week, and no day after today', () => {
    render(<PracticeCalendar analytics={loaded(analytics)} now={NOW} />);
    const rows = within(screen.getByRole('grid')).getAllByRole('row');
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual(
      ['MonMonday', 'Tuesday', 'WedWednesday', 'Thursday', 'FriFriday', 'Saturday', 'Sunday'],
    );
    const dates = (row: HTMLElement) => within(row).getAllByRole('gridcell').map((element) => element.getAttribute('data-date'));
    // The first column is the week 51 weeks before this one (Monday 1 December 2025); the last is this week, up to today.
    expect(dates(rows[0])).toHaveLength(52);
    expect([dates(rows[0])[0], dates(rows[0]).at(-1)]).toEqual(['2025-12-01', '2026-11-23']);
    expect([dates(rows[2])[0], dates(rows[2]).at(-1)]).toEqual(['2025-12-03', TODAY]);
    expect(dates(rows[3])).toHaveLength(51);
    expect(dates(rows[6]).at(-1)).toBe('2026-11-22');
    expect(screen.getAllByRole('gridcell')).toHaveLength(51 * 7 + 3);
    expect(cell(TODAY).getAttribute('aria-current')).toBe('date');
  });

  it('colours each day by its minutes of practice in five steps', () => {
    render(<PracticeCalendar analytics={loaded(analytics)} now={NOW} />);
    const level = (date: string) => cell(date).className.match(/level-\d/)?.[0];
    expect(['2026-11-23', '2026-11-16', '2026-11-18', TODAY, '2026-11-24', '2026-11-17'].map(level)).toEqual(
      ['level-0', 'level-1', 'level-2', 'level-3', 'level-3', 'level-4'],
    );
    expect(cell('2026-11-17').getAttribute('aria-label')).toBe(`${longDate('2026-11-17')}: 3 sessions · 75 min · 290 XP`);
    expect(cell('2026-11-21').getAttribute('aria-label')).toBe(`${longDate('2026-11-21')}: No practice`);
  });

  it('shows a day’s date, sessions, minutes and XP in a tooltip on keyboard focus, and hides it on blur', () => {
    render(<PracticeCalendar analytics={loaded(analytics)} now={NOW} />);
    expect(tooltip()).toBeNull();
    // One tab stop for the whole calendar: today.
    expect(screen.getAllByRole('gridcell').filter((element) => element.tabIndex === 0)).toEqual([cell(TODAY)]);

    fireEvent.focus(cell(TODAY));
    expect(tooltip()?.textContent).toBe(`${longDate(TODAY)}2 sessions · 45 min · 230 XP`);

    fireEvent.blur(cell(TODAY));
    expect(tooltip()).toBeNull();
  });

  it('moves between the days with the arrow keys, the tooltip and the tab stop following', () => {
    render(<PracticeCalendar analytics={loaded(analytics)} now={NOW} />);
    cell(TODAY).focus();

    fireEvent.keyDown(cell(TODAY), { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(cell('2026-11-18'));
    expect(tooltip()?.textContent).toBe(`${longDate('2026-11-18')}1 session · 20 min · 110 XP`);

    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(cell('2026-11-17'));
    expect(cell('2026-11-17').tabIndex).toBe(0);
    expect(cell(TODAY).tabIndex).toBe(-1);

    // Not past today, nor before the first day.
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(cell(TODAY));
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(cell('2025-12-01'));
  });

  it('shows the tooltip of the day under the pointer', () => {
    render(<PracticeCalendar analytics={loaded(analytics)} now={NOW} />);
    fireEvent.mouseEnter(cell('2026-11-24'));
    expect(tooltip()?.textContent).toBe(`${longDate('2026-11-24')}2 sessions · 59 min · 200 XP`);
    fireEvent.mouseLeave(screen.getByRole('grid'));
    expect(tooltip()).toBeNull();
  });

  it('offers the days practised in the 52 weeks as a table, hidden until asked for but there for screen readers', () => {
    render(<PracticeCalendar analytics={loaded(analytics)} now={NOW} />);
    const table = screen.getByRole('table', { name: /^Days practised in the last 52 weeks/ });
    const practised = analytics.days.filter((entry) => entry.date >= '2025-12-01' && entry.sessions > 0);
    const rows = rowsOf(table);

    expect(within(table).getAllByRole('columnheader').map((header) => header.textContent)).toEqual(['Date', 'Sessions', 'Minutes', 'XP']);
    expect(rows).toHaveLength(practised.length);
    // The days before the 52 weeks and the days of no session are left out.
    expect(analytics.days.some((entry) => entry.date < '2025-12-01')).toBe(true);
    expect(rows.slice(-4)).toEqual([
      `${longDate('2026-11-17')} | 3 | 75 | 290`,
      `${longDate('2026-11-18')} | 1 | 20 | 110`,
      `${longDate('2026-11-24')} | 2 | 59 | 200`,
      `${longDate(TODAY)} | 2 | 45 | 230`,
    ]);
    const total = practised.reduce((sum, entry) => sum + entry.xp, 0);
    expect(document.querySelector('.calendar-summary')?.textContent).toMatch(new RegExp(`^${practised.length} days practised in the last 52 weeks · \\d+ h \\d+ min · ${n(total)} XP$`));

    const show = screen.getByRole('button', { name: 'Show the practice calendar as a table' });
    expect(table.closest('.visually-hidden')).toBeTruthy();
    fireEvent.click(show);
    expect(show.getAttribute('aria-expanded')).toBe('true');
    expect(show.textContent).toBe('Hide the table');
    expect(table.closest('.visually-hidden')).toBeNull();
  });

  it('takes today in the user’s zone: late evening in UTC is already the next day in Berlin', () => {
    render(<PracticeCalendar analytics={loaded(analyticsUpTo('2026-11-26', thisWeek))} now={new Date('2026-11-25T23:30:00Z')} />);
    expect(cell('2026-11-26').getAttribute('aria-current')).toBe('date');
    expect(cell('2026-11-26').tabIndex).toBe(0);
  });
});

describe('TrendChart', () => {
  it('says it is loading, and reports an error in words', () => {
    render(<TrendChart analytics={{ status: 'loading' }} />);
    expect(screen.getByRole('heading', { name: 'Trend' })).toBeTruthy();
    expect(screen.getByText('Loading…')).toBeTruthy();
    cleanup();

    render(<TrendChart analytics={{ status: 'failed', message: 'The server answered 500.' }} />);
    expect(screen.getByRole('alert').textContent).toBe('The server answered 500.');
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('says there is nothing to chart yet for a user without sessions', () => {
    render(<TrendChart analytics={loaded(noPracticeUpTo(TODAY))} />);
    expect(screen.getByText(/^No XP in the last year yet/)).toBeTruthy();
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('draws a bar for each week’s XP, tallest for the best week, and the score trend as a line', () => {
    render(<TrendChart analytics={loaded(analytics)} />);
    const bars = Array.from(document.querySelectorAll<SVGRectElement>('rect.trend-bar'));
    expect(bars.map((bar) => bar.getAttribute('data-week'))).toEqual(analytics.weeks.map((week) => week.weekStart));
    const best = analytics.weeks.reduce((top, week) => (week.xp > top.xp ? week : top));
    const heights = bars.map((bar) => Number(bar.getAttribute('height')));
    expect(bars[heights.indexOf(Math.max(...heights))].getAttribute('data-week')).toBe(best.weekStart);
    // A week without practice has no height (the first has the one day of November 2025).
    expect(heights[0]).toBeGreaterThan(0);
    expect(heights.slice(1, 10)).toEqual(Array(9).fill(0));
    // One line through every point of the trend (one move, then a line to each next point).
    const line = document.querySelector('path.trend-line')!.getAttribute('d')!;
    expect(line.match(/[ML]/g)).toHaveLength(analytics.scoreTrend.length);
  });

  it('describes the chart in one image label with its totals', () => {
    render(<TrendChart analytics={loaded(analytics)} />);
    const total = analytics.weeks.reduce((sum, week) => sum + week.xp, 0);
    const latest = analytics.scoreTrend.at(-1)!.average;
    const label = screen.getByRole('img').getAttribute('aria-label');
    expect(label).toBe(
      `Weekly XP as bars and the score trend as a line, from the week of ${shortDate(analytics.weeks[0].weekStart)}: ` +
        `${n(total)} XP in ${analytics.weeks.length} weeks · this week ${n(analytics.weeks.at(-1)!.xp)} XP · score trend ${n(latest)}`,
    );
  });

  it('offers the weekly XP and the score trend as tables for screen readers', () => {
    render(<TrendChart analytics={loaded(analytics)} />);
    const weekly = screen.getByRole('table', { name: 'Weekly XP' });
    const weeks = rowsOf(weekly);
    expect(weeks).toHaveLength(analytics.weeks.length);
    // A week without a scored session has a dash, read out as "no score".
    expect(weeks[1]).toBe(`${shortDate('2025-12-01')} | 0 | 0 | 0 | —no score`);
    const week = analytics.weeks.find((entry) => entry.weekStart === '2026-11-16')!;
    expect(week).toMatchObject({ sessions: 5, xp: 490 });
    expect(weeks.at(-2)).toBe(`${shortDate('2026-11-16')} | 5 | 105 | 490 | 80`);
    expect(weeks.at(-1)).toBe(`${shortDate('2026-11-23')} | 4 | 104 | 430 | 80`);

    const trend = screen.getByRole('table', { name: /^Score trend/ });
    expect(rowsOf(trend)).toHaveLength(analytics.scoreTrend.length);
    expect(rowsOf(trend).at(-1)).toBe(`${longDate(TODAY)} | ${n(analytics.scoreTrend.at(-1)!.average)}`);

    const region = screen.getByRole('region', { name: 'The trend as a table' });
    expect(within(region).getAllByRole('table')).toEqual([weekly, trend]);
    const show = screen.getByRole('button', { name: 'Show the trend as a table' });
    fireEvent.click(show);
    expect(weekly.closest('.visually-hidden')).toBeNull();
    expect(region.tabIndex).toBe(0);
  });

  it('draws the bars without a line, and says so, while no session was scored', () => {
    const unscored = analyticsUpTo(TODAY, [day(TODAY, 1, 30, 120, null)]);
    render(<TrendChart analytics={loaded({ ...unscored, scoreTrend: [] })} />);
    expect(screen.getByText(/no scored session yet$/)).toBeTruthy();
    expect(document.querySelectorAll('rect.trend-bar').length).toBe(unscored.weeks.length);
    expect(document.querySelector('path.trend-line')?.getAttribute('d') ?? '').toBe('');
    expect(screen.queryByRole('table', { name: /^Score trend/ })).toBeNull();
  });
});

describe('PracticeWidgets', () => {
  it('reads the last 365 days once, with the token, for both the calendar and the trend', async () => {
    const requests: { url: URL; authorization: string | null }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: string, init: RequestInit) => {
        const url = new URL(input, 'http://locker-room.test');
        requests.push({ url, authorization: new Headers(init.headers).get('Authorization') });
        return new Response(JSON.stringify(analytics), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }),
    );
    render(<PracticeWidgets token="a-token" now={NOW} />);
    expect(screen.getAllByText('Loading…')).toHaveLength(2);

    expect(await screen.findByRole('grid')).toBeTruthy();
    expect(screen.getByRole('img', { name: /^Weekly XP as bars/ })).toBeTruthy();
    expect(requests.map(({ url, authorization }) => [`${url.pathname}${url.search}`, authorization])).toEqual([
      ['/gamification/analytics?days=365', 'Bearer a-token'],
    ]);
  });

  it('shows the api’s error in both cards', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'days must be 1 to 366' }), { status: 400 })),
    );
    render(<PracticeWidgets token="a-token" now={NOW} />);
    expect((await screen.findAllByRole('alert')).map((alert) => alert.textContent)).toEqual(['days must be 1 to 366', 'days must be 1 to 366']);
  });
});
