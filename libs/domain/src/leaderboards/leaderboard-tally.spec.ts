import { LEADERBOARDS_OFF, type LeaderboardRules } from '../rules/gamification-rules';
import { LeaderboardTally } from './leaderboard-tally';

const rules: LeaderboardRules = {
  leaderboards: [
    { code: 'WEEKLY_XP', name: 'This week', period: 'week' },
    { code: 'MONTHLY_XP', name: 'This month', period: 'month' },
    { code: 'ALL_TIME_XP', name: 'All time', period: 'all' },
  ],
  leaderboardTimeZone: 'UTC',
  leaderboardGraceHours: 12,
};
const at = (instant: string) => new Date(instant);
const shown = (standings: ReadonlyArray<{ code: string; periodKey: string; xp: number; reachedAt: Date }>) =>
  standings.map(({ code, periodKey, xp, reachedAt }) => `${code} ${periodKey} ${xp} ${reachedAt.toISOString()}`).sort();

describe('LeaderboardTally', () => {
  it('adds XP to the period of each board that contains the moment it counts at, reached now', () => {
    const now = at('2026-12-01T08:00:00Z');
    // Completed on Monday 30 November (2026-W49, November) and on 1 December (W49, December).
    const added = new LeaderboardTally(rules).added(
      [
        { xp: 100, countsAt: at('2026-11-30T20:00:00Z'), decidedAt: now },
        { xp: 50, countsAt: at('2026-12-01T07:00:00Z'), decidedAt: now },
      ],
      now,
    );
    expect(shown(added)).toEqual([
      'ALL_TIME_XP all 150 2026-12-01T08:00:00.000Z',
      'MONTHLY_XP 2026-11 100 2026-12-01T08:00:00.000Z',
      'MONTHLY_XP 2026-12 50 2026-12-01T08:00:00.000Z',
      'WEEKLY_XP 2026-W49 150 2026-12-01T08:00:00.000Z',
    ]);
  });

  it('finds each moment’s own period in a tally used across periods, back and forth, at their exact edges (Berlin)', () => {
    const berlin = { ...rules, leaderboardTimeZone: 'Europe/Berlin' };
    const now = at('2026-11-30T10:00:00Z'); // 2026-W48 is final at 11:00
    // In Berlin, 2026-W49 begins at 23:00 UTC on Sunday 29 November, and December at 23:00 UTC on the 30th.
    const moments = [
      '2026-11-30T22:59:59.999Z',
      '2026-11-30T23:00:00.000Z',
      '2026-11-29T22:59:59.999Z',
      '2026-11-29T23:00:00.000Z',
      '2026-12-06T23:00:00.000Z',
      '2026-11-30T23:30:00.000Z',
    ];
    const shared = new LeaderboardTally(berlin);
    for (const moment of moments) {
      const award = [{ xp: 10, countsAt: at(moment), decidedAt: now }];
      expect({ moment, standings: shown(shared.added(award, now)) }).toEqual({ moment, standings: shown(new LeaderboardTally(berlin).added(award, now)) });
    }
    expect(shown(new LeaderboardTally(berlin).added([{ xp: 10, countsAt: at(moments[2]), decidedAt: now }], now))).toContain('WEEKLY_XP 2026-W48 10 2026-11-30T10:00:00.000Z');
    expect(shown(new LeaderboardTally(berlin).added([{ xp: 10, countsAt: at(moments[3]), decidedAt: now }], now))).toContain('WEEKLY_XP 2026-W49 10 2026-11-30T10:00:00.000Z');
    expect(shown(new LeaderboardTally(berlin).added([{ xp: 10, countsAt: at(moments[1]), decidedAt: now }], now))).toContain('MONTHLY_XP 2026-12 10 2026-11-30T10:00:00.000Z');
  });

  it('leaves a final period alone (the grace is 12 hours after its end) and counts a legacy session all time only', () => {
    const late = at('2026-12-01T11:00:00Z'); // November is final only at 12:00
    const added = new LeaderboardTally(rules).added(
      [
        { xp: 100, countsAt: at('2026-11-29T20:00:00Z'), decidedAt: late }, // 2026-W48 ended 30 Nov 00:00: final since 30 Nov 12:00
        { xp: 40, countsAt: null, decidedAt: late },
      ],
      late,
    );
    expect(shown(added)).toEqual(['ALL_TIME_XP all 140 2026-12-01T11:00:00.000Z', 'MONTHLY_XP 2026-11 100 2026-12-01T11:00:00.000Z']);
    expect(new LeaderboardTally(LEADERBOARDS_OFF).added([{ xp: 100, countsAt: late, decidedAt: late }], late)).toEqual([]);
  });

  it('restates a user from all their XP: sums per period, reached at the latest decision, and empties what no longer has XP', () => {
    const now = at('2026-11-26T10:00:00Z');
    const restated = new LeaderboardTally(rules).restated(
      [
        { xp: 30, countsAt: at('2026-11-24T10:00:00Z'), decidedAt: at('2026-11-24T10:00:01Z') },
        { xp: 20, countsAt: at('2026-11-23T10:00:00Z'), decidedAt: at('2026-11-25T09:00:00Z') },
        { xp: 0, countsAt: at('2026-11-26T09:00:00Z'), decidedAt: at('2026-11-26T09:00:01Z') },
        { xp: 10, countsAt: at('2026-11-10T10:00:00Z'), decidedAt: at('2026-11-10T10:00:00Z') }, // 2026-W46: final
      ],
      [
        { code: 'WEEKLY_XP', periodKey: '2026-W48' },
        { code: 'WEEKLY_XP', periodKey: '2026-W47' }, // final since 23 November 12:00: kept as it was
        { code: 'MONTHLY_XP', periodKey: '2026-11' },
        { code: 'RETIRED_XP', periodKey: 'all' }, // a board no longer in the rules: kept as it was
      ],
      now,
    );
    expect(shown(restated)).toEqual([
      'ALL_TIME_XP all 60 2026-11-25T09:00:00.000Z',
      'MONTHLY_XP 2026-11 60 2026-11-25T09:00:00.000Z',
      'WEEKLY_XP 2026-W48 50 2026-11-25T09:00:00.000Z',
    ]);
    const emptied = new LeaderboardTally(rules).restated([], [{ code: 'WEEKLY_XP', periodKey: '2026-W48' }], now);
    expect(shown(emptied)).toEqual(['WEEKLY_XP 2026-W48 0 2026-11-26T10:00:00.000Z']);
  });
});
