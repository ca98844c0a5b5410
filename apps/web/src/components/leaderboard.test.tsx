import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { Leaderboard, LeaderboardEntry, LeaderboardSummary } from '../types';
import { LeaderboardCard } from './LeaderboardCard';

// Only the network is stood in for: every request the card makes is answered, and recorded, here.
type Answer = { status: number; body: unknown };
type Route = (url: URL) => Answer | undefined;

const TOKEN = 'a-token';
const ME = 'me';

const boards: LeaderboardSummary[] = [
  { code: 'WEEKLY_XP', name: 'This week', period: 'week' },
  { code: 'MONTHLY_XP', name: 'This month', period: 'month' },
  { code: 'ALL_TIME_XP', name: 'All time', period: 'all' },
];

const week = { key: '2026-W48', start: '2026-11-23T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z', final: false };

/** Ranks `from` to `to`, 100 XP apart, `me` at rank `mine`. */
const ranks = (from: number, to: number, mine?: number): LeaderboardEntry[] =>
  Array.from({ length: to - from + 1 }, (_, index) => {
    const rank = from + index;
    return { rank, userId: rank === mine ? ME : `user-${rank}`, xp: (200 - rank) * 100 };
  });

const board = (overrides: Partial<Leaderboard>): Leaderboard => ({
  code: 'WEEKLY_XP',
  name: 'This week',
  period: week,
  participants: 1234,
  entries: ranks(1, 10),
  me: null,
  ...overrides,
});

let requests: { url: URL; authorization: string | null }[] = [];
let routes: Route[] = [];

const answer = (route: Route) => routes.push(route);
const onBoard =
  (code: string, reply: Answer, around = false): Route =>
  (url) =>
    url.pathname === `/gamification/leaderboards/${code}` && url.searchParams.has('around') === around ? reply : undefined;
const ok = (body: unknown): Answer => ({ status: 200, body });

beforeEach(() => {
  requests = [];
  routes = [(url) => (url.pathname === '/gamification/leaderboards' ? ok({ leaderboards: boards }) : undefined)];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit) => {
      const url = new URL(input, 'http://locker-room.test');
      requests.push({ url, authorization: new Headers(init.headers).get('Authorization') });
      const reply = routes.map((route) => route(url)).find((found) => found !== undefined) ?? {
        status: 404,
        body: { code: 'NOT_FOUND', message: `No route for ${url.pathname}` },
      };
      return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { 'Content-Type': 'application/json' } });
    }),
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const boardRequests = () => requests.filter(({ url }) => url.pathname.startsWith('/gamification/leaderboards/'));
// A row as its cells read: rank | player | XP.
const cells = (row: Element) => Array.from(row.children, (cell) => cell.textContent).join(' | ');
const rowsOf = (group: HTMLElement) => within(group).getAllByRole('row').map(cells);
// The line under the table: its number is set apart, so it is read whole.
const myRank = () => screen.getByText(/^Your rank:/).textContent;
const highlighted = () => Array.from(document.querySelectorAll('.leaderboard-row[aria-current="true"]'), cells);

describe('LeaderboardCard', () => {
  it("shows this week's top 10 with the signed-in user's row highlighted, the period and the participants", async () => {
    answer(onBoard('WEEKLY_XP', ok(board({ entries: ranks(1, 10, 3), me: { rank: 3, xp: 19_700 } }))));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);

    expect(screen.getByText('Loading…')).toBeTruthy();
    const top = await screen.findByRole('rowgroup', { name: 'Top 10' });
    expect(screen.getByRole('tab', { name: 'This week' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getAllByRole('tab').map((tab) => tab.textContent)).toEqual(['This week', 'This month', 'All time']);
    expect(within(top).getAllByRole('row')).toHaveLength(10);
    expect(rowsOf(top)[0]).toBe(`1 | user-1 | ${(19_900).toLocaleString()}`);
    expect(highlighted()).toEqual([`3 | me (you) | ${(19_700).toLocaleString()}`]);
    expect(within(top).getByRole('row', { current: true }).className).toBe('leaderboard-row is-me');
    expect(myRank()).toBe(`Your rank: 3 of ${(1234).toLocaleString()} · ${(19_700).toLocaleString()} XP`);
    const ends = new Date(week.end).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
    expect(document.querySelector('.leaderboard-period')?.textContent).toBe(`2026-W48 · ends ${ends} · ${(1234).toLocaleString()} players`);
    expect(screen.queryByRole('rowgroup', { name: 'Around you' })).toBeNull();

    expect(boardRequests().map(({ url }) => `${url.pathname}${url.search}`)).toEqual(['/gamification/leaderboards/WEEKLY_XP?period=current&limit=10']);
    expect(requests.map(({ authorization }) => authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('shows the user’s rank and neighbours after the top 10 when the user is further down', async () => {
    answer(onBoard('WEEKLY_XP', ok(board({ me: { rank: 57, xp: 14_300 } }))));
    answer(onBoard('WEEKLY_XP', ok(board({ entries: ranks(52, 62, 57), me: { rank: 57, xp: 14_300 } })), true));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);

    const around = await screen.findByRole('rowgroup', { name: 'Around you' });
    expect(within(screen.getByRole('rowgroup', { name: 'Top 10' })).getAllByRole('row')).toHaveLength(10);
    expect(within(screen.getByRole('rowgroup', { name: 'Top 10' })).queryByRole('row', { current: true })).toBeNull();
    // The separator first, then five above, the user, and five below.
    expect(rowsOf(around)[0]).toBe('Around you');
    expect(Array.from(around.querySelectorAll('.leaderboard-row'), (row) => row.getAttribute('data-rank'))).toEqual(
      ['52', '53', '54', '55', '56', '57', '58', '59', '60', '61', '62'],
    );
    expect(cells(within(around).getByRole('row', { current: true }))).toBe(`57 | me (you) | ${(14_300).toLocaleString()}`);
    expect(highlighted()).toHaveLength(1);
    expect(myRank()).toContain('Your rank: 57 of');

    // The neighbours are read for the same period as the top 10, so a week turning between the two reads cannot mix them.
    const [, neighbours] = boardRequests();
    expect(Object.fromEntries(neighbours.url.searchParams)).toEqual({ period: '2026-W48', around: 'me' });
  });

  it('does not repeat the top 10 among the neighbours of the 11th', async () => {
    answer(onBoard('WEEKLY_XP', ok(board({ me: { rank: 11, xp: 18_900 } }))));
    answer(onBoard('WEEKLY_XP', ok(board({ entries: ranks(6, 16, 11), me: { rank: 11, xp: 18_900 } })), true));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);

    const around = await screen.findByRole('rowgroup', { name: 'Around you' });
    expect(Array.from(around.querySelectorAll('.leaderboard-row'), (row) => row.getAttribute('data-rank'))).toEqual(['11', '12', '13', '14', '15', '16']);
  });

  it('says nobody has XP yet on a board without participants', async () => {
    answer(onBoard('WEEKLY_XP', ok(board({ participants: 0, entries: [], me: null }))));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);

    expect(await screen.findByText('Nobody has XP on this board yet in this period.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(boardRequests()).toHaveLength(1);
  });

  it('says the user has no XP on the board yet in this period, and asks for no neighbours', async () => {
    answer(onBoard('WEEKLY_XP', ok(board({ participants: 12, me: null }))));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);

    expect(await screen.findByText('You have no XP on this board yet in this period.')).toBeTruthy();
    expect(within(screen.getByRole('rowgroup', { name: 'Top 10' })).getAllByRole('row')).toHaveLength(10);
    expect(highlighted()).toEqual([]);
    expect(screen.queryByText(/^Your rank:/)).toBeNull();
    expect(boardRequests()).toHaveLength(1);
  });

  it('reports an error of the api in words', async () => {
    answer(onBoard('WEEKLY_XP', { status: 503, body: { code: 'UNAVAILABLE', message: 'The leaderboards are unavailable right now.' } }));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);

    expect((await screen.findByRole('alert')).textContent).toBe('The leaderboards are unavailable right now.');
    expect(screen.queryByRole('table')).toBeNull();
    // The other boards are still a tab away.
    expect(screen.getAllByRole('tab')).toHaveLength(3);
  });

  it('reports in words when the list of boards cannot be read', async () => {
    routes = [(url) => (url.pathname === '/gamification/leaderboards' ? { status: 500, body: {} } : undefined)];
    render(<LeaderboardCard token={TOKEN} userId={ME} />);

    expect((await screen.findByRole('alert')).textContent).toBe('The server answered 500.');
    expect(screen.queryByRole('tablist')).toBeNull();
  });

  it("switches to the month's board: it asks for that board's code and shows its rows", async () => {
    answer(onBoard('WEEKLY_XP', ok(board({ entries: ranks(1, 10, 3), me: { rank: 3, xp: 19_700 } }))));
    answer(onBoard('MONTHLY_XP', ok(board({ code: 'MONTHLY_XP', name: 'This month', entries: ranks(1, 10, 8), me: { rank: 8, xp: 19_200 } }))));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);
    await screen.findByRole('rowgroup', { name: 'Top 10' });

    fireEvent.click(screen.getByRole('tab', { name: 'This month' }));

    expect(await screen.findByRole('row', { current: true, name: /^8/ })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'This month' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tab', { name: 'This week' }).getAttribute('aria-selected')).toBe('false');
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(screen.getByRole('tab', { name: 'This month' }).id);
    expect(boardRequests().map(({ url }) => url.pathname)).toEqual(['/gamification/leaderboards/WEEKLY_XP', '/gamification/leaderboards/MONTHLY_XP']);
  });

  it('moves between the boards with the arrow keys', async () => {
    answer(onBoard('WEEKLY_XP', ok(board({}))));
    answer(onBoard('ALL_TIME_XP', ok(board({ code: 'ALL_TIME_XP', name: 'All time', period: { key: 'all', start: null, end: null, final: false } }))));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);
    await screen.findByRole('rowgroup', { name: 'Top 10' });
    expect(screen.getAllByRole('tab').map((tab) => tab.tabIndex)).toEqual([0, -1, -1]);

    fireEvent.keyDown(screen.getByRole('tab', { name: 'This week' }), { key: 'ArrowLeft' });

    const allTime = screen.getByRole('tab', { name: 'All time' });
    expect(allTime.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(allTime);
    expect(await screen.findByText(`all · ${(1234).toLocaleString()} players`)).toBeTruthy();
    expect(boardRequests().at(-1)?.url.pathname).toBe('/gamification/leaderboards/ALL_TIME_XP');
  });

  it('marks a period that has ended as final', async () => {
    const ended = { key: '2026-W47', start: '2026-11-16T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z', final: true };
    answer(onBoard('WEEKLY_XP', ok(board({ period: ended }))));
    render(<LeaderboardCard token={TOKEN} userId={ME} />);

    const ends = new Date(ended.end).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
    expect((await screen.findByText(/^2026-W47/)).textContent).toBe(`2026-W47 · ended ${ends} · final · ${(1234).toLocaleString()} players`);
  });
});
