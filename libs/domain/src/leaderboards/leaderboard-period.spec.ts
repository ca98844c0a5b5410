import { finalAt, isFinal, periodContaining, periodOfKey, previousPeriod } from './leaderboard-period';

const bounds = (period: { key: string; start: Date | null; end: Date | null } | null) =>
  period === null ? null : { key: period.key, start: period.start?.toISOString() ?? null, end: period.end?.toISOString() ?? null };

describe('leaderboard periods (contract section 9)', () => {
  it('puts the days around New Year in ISO weeks: 2026 has 53 weeks, 2027-W01 starts on Monday 4 January', () => {
    expect(bounds(periodContaining('week', new Date('2026-12-31T12:00:00Z'), 'UTC'))).toEqual({
      key: '2026-W53',
      start: '2026-12-28T00:00:00.000Z',
      end: '2027-01-04T00:00:00.000Z',
    });
    expect(periodContaining('week', new Date('2027-01-03T23:59:59.999Z'), 'UTC').key).toBe('2026-W53');
    expect(periodContaining('week', new Date('2027-01-04T00:00:00.000Z'), 'UTC').key).toBe('2027-W01');
    // 1 January 2025 is a Wednesday: it belongs to 2025-W01, which starts in 2024.
    expect(bounds(periodContaining('week', new Date('2025-01-01T00:00:00Z'), 'UTC'))?.start).toBe('2024-12-30T00:00:00.000Z');
    expect(periodContaining('week', new Date('2024-12-30T00:00:00Z'), 'UTC').key).toBe('2025-W01');
    expect(previousPeriod(periodOfKey('week', '2027-W01', 'UTC')!, 'UTC')?.key).toBe('2026-W53');
  });

  it('reads week keys that exist and refuses the others', () => {
    expect(bounds(periodOfKey('week', '2026-W53', 'UTC'))).toEqual(bounds(periodContaining('week', new Date('2026-12-30T00:00:00Z'), 'UTC')));
    expect(bounds(periodOfKey('week', '2026-W48', 'UTC'))).toEqual({ key: '2026-W48', start: '2026-11-23T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z' });
    expect(['2027-W53', '2026-W00', '2026-W54', '2026-48', '26-W01', 'current', 'all'].map((key) => periodOfKey('week', key, 'UTC'))).toEqual(
      [null, null, null, null, null, null, null],
    );
  });

  it('ends a month at the next month’s first midnight, in the boards’ zone', () => {
    expect(periodContaining('month', new Date('2026-11-30T23:59:59.999Z'), 'UTC').key).toBe('2026-11');
    expect(periodContaining('month', new Date('2026-12-01T00:00:00.000Z'), 'UTC').key).toBe('2026-12');
    expect(bounds(periodOfKey('month', '2026-12', 'UTC'))).toEqual({ key: '2026-12', start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
    expect(previousPeriod(periodOfKey('month', '2027-01', 'UTC')!, 'UTC')?.key).toBe('2026-12');
    // 1 December 00:30 in Tokyo is still 30 November in UTC.
    expect(periodContaining('month', new Date('2026-11-30T15:30:00Z'), 'Asia/Tokyo').key).toBe('2026-12');
    expect(['2026-13', '2026-00', '2026-W48', '2026-1'].map((key) => periodOfKey('month', key, 'UTC'))).toEqual([null, null, null, null]);
  });

  it('follows DST in the boards’ zone: the Berlin week that ends summer time lasts a week and an hour', () => {
    const week = periodContaining('week', new Date('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    expect(bounds(week)).toEqual({ key: '2026-W43', start: '2026-10-18T22:00:00.000Z', end: '2026-10-25T23:00:00.000Z' });
    expect(periodContaining('week', new Date('2026-10-25T22:59:59.999Z'), 'Europe/Berlin').key).toBe('2026-W43');
    expect(periodContaining('week', new Date('2026-10-25T23:00:00.000Z'), 'Europe/Berlin').key).toBe('2026-W44');
    expect(bounds(periodOfKey('month', '2026-10', 'Europe/Berlin'))).toEqual({ key: '2026-10', start: '2026-09-30T22:00:00.000Z', end: '2026-10-31T23:00:00.000Z' });
    // Spring forward: March 2026's last Sunday is the 29th; the week after starts at 00:00 CEST.
    expect(periodContaining('week', new Date('2026-03-29T22:00:00Z'), 'Europe/Berlin').key).toBe('2026-W14');
  });

  it('makes a period final the grace hours after its end, and all time never', () => {
    const week = periodOfKey('week', '2026-W48', 'UTC')!;
    expect(finalAt(week, 12)?.toISOString()).toBe('2026-11-30T12:00:00.000Z');
    expect([isFinal(week, 12, new Date('2026-11-30T11:59:59.999Z')), isFinal(week, 12, new Date('2026-11-30T12:00:00.000Z'))]).toEqual([false, true]);
    const all = periodOfKey('all', 'all', 'UTC')!;
    expect([bounds(all), finalAt(all, 12), isFinal(all, 0, new Date('2100-01-01T00:00:00Z')), previousPeriod(all, 'UTC')]).toEqual([
      { key: 'all', start: null, end: null },
      null,
      false,
      null,
    ]);
  });
});
