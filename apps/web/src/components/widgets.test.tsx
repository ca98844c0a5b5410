import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { BadgeCatalogEntry, Challenge, Profile } from '../types';
import { BadgeDisplay } from './BadgeDisplay';
import { ChallengeList } from './ChallengeList';
import { LevelProgressBar } from './LevelProgressBar';
import { SignIn } from './SignIn';
import { StreakWidget } from './StreakWidget';

afterEach(cleanup);

const lobby: Profile = {
  userId: 'new-user',
  level: 1,
  totalXp: 0,
  xpIntoLevel: 0,
  xpForNextLevel: 100,
  currentStreak: 0,
  longestStreak: 0,
  lastPracticeDate: null,
  practicedToday: false,
  streakFreezes: { held: 0, max: 2, earnEveryDays: 7 },
  frozenDays: [],
  sessionsCompleted: 0,
  badges: [],
  challenges: [],
};

const catalog: BadgeCatalogEntry[] = [
  { code: 'FIRST_STEPS', name: 'First Steps', description: 'Complete your first practice session', howToEarn: 'Complete a practice session' },
  { code: 'ON_FIRE', name: 'On Fire', description: 'Practice 3 days in a row', howToEarn: 'Practise 3 days in a row' },
];

const challenge = (overrides: Partial<Challenge>): Challenge => ({
  id: 'c-1',
  type: 'COMPLETE_SESSIONS',
  description: 'Complete 2 practice sessions today',
  progress: 1,
  target: 2,
  xpReward: 100,
  isCompleted: false,
  isClaimed: false,
  expiresAt: '2026-11-26T00:00:00.000Z',
  ...overrides,
});

describe('LevelProgressBar', () => {
  it('shows the Lobby: level 1, 0 XP, an empty bar towards level 2', () => {
    render(<LevelProgressBar {...lobby} />);
    expect(screen.getByRole('heading', { name: 'Level 1' })).toBeTruthy();
    expect(screen.getByText('0 XP')).toBeTruthy();
    const bar = screen.getByRole('progressbar', { name: 'Progress to the next level' });
    expect([bar.getAttribute('aria-valuenow'), bar.getAttribute('aria-valuemin'), bar.getAttribute('aria-valuemax')]).toEqual(['0', '0', '100']);
    expect(bar.getAttribute('aria-valuetext')).toBe('0 of 100 XP to level 2');
  });

  it('shows XP into the level out of XP to the next', () => {
    render(<LevelProgressBar level={2} totalXp={180} xpIntoLevel={80} xpForNextLevel={200} />);
    const bar = screen.getByRole('progressbar', { name: 'Progress to the next level' });
    expect(bar.getAttribute('aria-valuenow')).toBe('80');
    expect(bar.getAttribute('aria-valuemax')).toBe('200');
    expect(screen.getByText('80 of 200 XP to level 3')).toBeTruthy();
  });

  it('shows a full bar and no next level at the level cap', () => {
    render(<LevelProgressBar level={100} totalXp={500_000} xpIntoLevel={5_000} xpForNextLevel={0} />);
    const bar = screen.getByRole('progressbar', { name: 'Progress to the next level' });
    expect(bar.getAttribute('aria-valuenow')).toBe(bar.getAttribute('aria-valuemax'));
    expect(screen.getByText('Level 100: highest level reached')).toBeTruthy();
  });
});

describe('BadgeDisplay', () => {
  it('shows every badge, none earned in the Lobby, each with a tooltip saying how to earn it', () => {
    render(<BadgeDisplay catalog={catalog} earned={[]} token="a-token" />);
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((button) => button.className)).toEqual(['badge locked', 'badge locked']);
    expect(screen.getByText('0 of 2')).toBeTruthy();
    const tooltip = document.getElementById(buttons[1].getAttribute('aria-describedby')!)!;
    expect(tooltip.getAttribute('role')).toBe('tooltip');
    expect(tooltip.textContent).toContain('How to earn it: Practise 3 days in a row.');
    expect(tooltip.textContent).toContain('Not earned yet.');
  });

  it('shows an earned badge in colour with its date', () => {
    render(<BadgeDisplay catalog={catalog} earned={[{ ...catalog[0], earnedAt: '2026-11-22T09:00:00.000Z' }]} token="a-token" />);
    const first = screen.getByRole('button', { name: /^First Steps/ });
    expect(first.className).toBe('badge earned');
    expect(within(first).getByText(new Date('2026-11-22T09:00:00.000Z').toLocaleDateString())).toBeTruthy();
    expect(screen.getByRole('button', { name: /On Fire/ }).className).toBe('badge locked');
  });
});

describe('BadgeDisplay: credentials', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('offers the credential of an earned badge only, and saves the signed JWT the api answers as <code>.jwt', async () => {
    const fetch = vi.fn(async () => new Response('eyJhbGciOiJSUzI1NiJ9.e30.c2ln', { status: 200, headers: { 'Content-Type': 'application/vc+jwt' } }));
    vi.stubGlobal('fetch', fetch);
    const saved: Array<{ name: string; blob: Blob }> = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      saved.push({ name: '', blob: blob as Blob });
      return 'blob:credential';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved[saved.length - 1].name = this.download;
    });
    render(<BadgeDisplay catalog={catalog} earned={[{ ...catalog[0], earnedAt: '2026-11-22T09:00:00.000Z' }]} token="a-token" />);

    expect(screen.getAllByRole('button', { name: /^Download credential/ }).map((button) => button.getAttribute('aria-label'))).toEqual(['Download credential for First Steps']);
    fireEvent.click(screen.getByRole('button', { name: 'Download credential for First Steps' }));
    await vi.waitFor(() => expect(saved.map((file) => file.name)).toEqual(['FIRST_STEPS.jwt']));
    expect(fetch).toHaveBeenCalledWith('/gamification/badges/FIRST_STEPS/credential', expect.objectContaining({ headers: { Accept: 'application/vc+jwt', Authorization: 'Bearer a-token' } }));
    expect([saved[0].blob.type, await saved[0].blob.text()]).toEqual(['application/vc+jwt', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln']);
  });

  it('says so when the credential cannot be had, naming the badge and the api’s reason', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ statusCode: 404, code: 'BADGE_NOT_EARNED', message: 'badge FIRST_STEPS is not one the caller has earned' }), { status: 404 })));
    render(<BadgeDisplay catalog={catalog} earned={[{ ...catalog[0], earnedAt: '2026-11-22T09:00:00.000Z' }]} token="a-token" />);
    fireEvent.click(screen.getByRole('button', { name: 'Download credential for First Steps' }));
    expect((await screen.findByRole('alert')).textContent).toBe('First Steps: the credential could not be downloaded. badge FIRST_STEPS is not one the caller has earned');
  });
});

describe('StreakWidget', () => {
  // Practised 18, 19, 21 and 22 November; the 20th was missed and a freeze kept the streak.
  const withAFrozenDay: Profile = {
    ...lobby,
    currentStreak: 4,
    longestStreak: 4,
    lastPracticeDate: '2026-11-22',
    practicedToday: true,
    streakFreezes: { held: 1, max: 2, earnEveryDays: 7 },
    frozenDays: ['2026-11-20'],
  };

  const days = () => Array.from(document.querySelectorAll('.streak-day'), (day) => `${day.getAttribute('data-date')} ${day.className}`);

  it('shows no streak, no days and today not practised in the Lobby', () => {
    render(<StreakWidget {...lobby} />);
    expect(screen.getByTestId('current-streak').textContent).toBe('0');
    expect(screen.getByText('Not practised yet today')).toBeTruthy();
    expect(document.querySelector('.streak-week')).toBeNull();
    expect(screen.getByTestId('freezes-held').textContent).toBe('0 of 2');
    expect(document.querySelector('.freezes .snowflake g')?.getAttribute('stroke')).toBe('#c8cbd6');
  });

  it('shows the streak with a flame, the longest, and today done', () => {
    render(<StreakWidget {...lobby} currentStreak={3} longestStreak={5} lastPracticeDate="2026-11-22" practicedToday />);
    expect(screen.getByTestId('current-streak').textContent).toBe('3');
    expect(document.querySelector('.flame path')?.getAttribute('fill')).toBe('#ff7a18');
    expect(screen.getByText('Longest: 5 days')).toBeTruthy();
    expect(screen.getByText('Practised today ✓')).toBeTruthy();
  });

  it('shows one streak freeze held of two, with a lit snowflake and an accessible label', () => {
    render(<StreakWidget {...withAFrozenDay} />);
    expect(screen.getByTestId('freezes-held').textContent).toBe('1 of 2');
    const freezes = screen.getByRole('button', { name: 'Streak freezes: 1 of 2 held' });
    expect(freezes.querySelector('.snowflake g')?.getAttribute('stroke')).toBe('#2e9bd6');
  });

  it('marks a frozen day of the streak apart from the practised days and the days before it', () => {
    render(<StreakWidget {...withAFrozenDay} />);
    expect(days()).toEqual([
      '2026-11-16 streak-day is-outside',
      '2026-11-17 streak-day is-outside',
      '2026-11-18 streak-day is-practised',
      '2026-11-19 streak-day is-practised',
      '2026-11-20 streak-day is-frozen',
      '2026-11-21 streak-day is-practised',
      '2026-11-22 streak-day is-practised',
    ]);
    const [frozen] = screen.getAllByTestId('frozen-day');
    expect(screen.getAllByTestId('frozen-day')).toHaveLength(1);
    expect(frozen.getAttribute('data-date')).toBe('2026-11-20');
    expect(frozen.getAttribute('title')).toBe('Frozen: 2026-11-20 — a freeze kept your streak');
    expect(frozen.querySelector('.snowflake')).toBeTruthy();
    expect(frozen.querySelector('.flame')).toBeNull();
    expect(frozen.textContent).toBe('FriFrozen: 2026-11-20 — a freeze kept your streak');
  });

  it('ends the days on a frozen yesterday while today is not practised yet', () => {
    render(<StreakWidget {...withAFrozenDay} currentStreak={2} lastPracticeDate="2026-11-21" practicedToday={false} frozenDays={['2026-11-22']} />);
    expect(days().slice(-3)).toEqual(['2026-11-20 streak-day is-practised', '2026-11-21 streak-day is-practised', '2026-11-22 streak-day is-frozen']);
    expect(screen.getAllByTestId('frozen-day').map((day) => day.getAttribute('data-date'))).toEqual(['2026-11-22']);
  });

  it('shows no freeze row while freezes are off (at most 0 held)', () => {
    render(<StreakWidget {...withAFrozenDay} streakFreezes={{ held: 0, max: 0, earnEveryDays: 7 }} frozenDays={[]} />);
    expect(screen.queryByTestId('freezes-held')).toBeNull();
    expect(screen.queryByRole('button', { name: /Streak freezes/ })).toBeNull();
    expect(screen.queryByRole('tooltip')).toBeNull();
    expect(screen.queryAllByTestId('frozen-day')).toEqual([]);
  });

  it('explains in its tooltip how freezes are earned, with the rules’ numbers', () => {
    render(<StreakWidget {...withAFrozenDay} streakFreezes={{ held: 1, max: 3, earnEveryDays: 5 }} />);
    const freezes = screen.getByRole('button', { name: 'Streak freezes: 1 of 3 held' });
    const tooltip = document.getElementById(freezes.getAttribute('aria-describedby')!)!;
    expect(tooltip.getAttribute('role')).toBe('tooltip');
    expect(tooltip.textContent).toBe(
      'You earn a streak freeze every 5 days of streak (up to 3 held). A day you miss uses one and keeps your streak.',
    );
  });
});

describe('ChallengeList', () => {
  it('offers Claim only on completed, unclaimed challenges, and reports a claim error in words', () => {
    const onClaim = vi.fn();
    const challenges = [
      challenge({ id: 'a' }),
      challenge({ id: 'b', type: 'SCORE_AT_LEAST', description: 'Score 80 or more', progress: 1, target: 1, xpReward: 75, isCompleted: true }),
      challenge({ id: 'c', type: 'PRACTICE_MINUTES', description: 'Practice 30 minutes', progress: 1800, target: 1800, xpReward: 50, isCompleted: true, isClaimed: true }),
    ];
    render(<ChallengeList challenges={challenges} onClaim={onClaim} claiming={null} errors={{ b: 'This challenge has expired.' }} />);
    const claimButtons = screen.getAllByRole('button');
    expect(claimButtons.map((button) => button.textContent)).toEqual(['Claim 75 XP']);
    fireEvent.click(claimButtons[0]);
    expect(onClaim).toHaveBeenCalledWith(challenges[1]);
    expect(screen.getByText('Claimed ✓')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('This challenge has expired.');
    expect(screen.getByText('30 of 30 minutes')).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: 'Complete 2 practice sessions today' }).getAttribute('aria-valuenow')).toBe('1');
  });
});

describe('SignIn', () => {
  it('is disabled, and says so, where the server offers no development sign-in', () => {
    render(<SignIn onSignIn={vi.fn()} error={null} available={false} />);
    expect((screen.getByLabelText('User id') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/Development sign-in is off on this server/)).toBeTruthy();
  });

  it('signs in with the typed user id in development', () => {
    const onSignIn = vi.fn().mockResolvedValue(undefined);
    render(<SignIn onSignIn={onSignIn} error={null} available />);
    fireEvent.change(screen.getByLabelText('User id'), { target: { value: ' alice ' } });
    fireEvent.submit(screen.getByRole('button', { name: 'Sign in' }).closest('form')!);
    expect(onSignIn).toHaveBeenCalledWith('alice');
  });
});
