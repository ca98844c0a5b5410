import fc from 'fast-check';
import { localDateOf } from '../time/local-date';
import { StreakCalculator } from './streak-calculator';

const dateFromDay = (epochDay: number) => new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
const practiceDays = fc.array(fc.integer({ min: 19_000, max: 19_120 }).map(dateFromDay), { maxLength: 60 });

/** The obvious definition, day by day, to check the calculator against. */
function runEndingAt(days: Set<string>, last: string): number {
  let run = 0;
  for (let day = Date.parse(last) / 86_400_000; days.has(dateFromDay(day)); day -= 1) {
    run += 1;
  }
  return run;
}

describe('StreakCalculator', () => {
  it('counts consecutive days ending at the latest practice day', () => {
    expect(StreakCalculator.summarize(['2026-03-01', '2026-03-02', '2026-03-03'])).toEqual({
      currentStreak: 3,
      longestStreak: 3,
      lastPracticeDate: '2026-03-03',
    });
  });

  it('resets the current streak after a gap but keeps the longest run', () => {
    expect(StreakCalculator.summarize(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-05'])).toEqual({
      currentStreak: 1,
      longestStreak: 3,
      lastPracticeDate: '2026-03-05',
    });
  });

  it('keeps the streak when a late event fills a gap', () => {
    const summary = StreakCalculator.summarize(['2026-03-01', '2026-03-02', '2026-03-05', '2026-03-04', '2026-03-03']);
    expect(summary).toEqual({ currentStreak: 5, longestStreak: 5, lastPracticeDate: '2026-03-05' });
  });

  it('counts runs across month and year ends and leap days', () => {
    expect(StreakCalculator.summarize(['2027-12-31', '2028-01-01']).currentStreak).toBe(2);
    expect(StreakCalculator.summarize(['2028-02-28', '2028-02-29', '2028-03-01']).currentStreak).toBe(3);
    expect(StreakCalculator.summarize(['2027-02-28', '2027-03-01']).currentStreak).toBe(2);
  });

  it('has no streak without practice days', () => {
    expect(StreakCalculator.summarize([])).toEqual({ currentStreak: 0, longestStreak: 0, lastPracticeDate: null });
  });

  it('depends only on the set of practice days, not on their order or repetitions', () => {
    fc.assert(
      fc.property(practiceDays, fc.infiniteStream(fc.nat()), (days, randomness) => {
        const shuffled = [...days, ...days.slice(0, 5)]
          .map((day) => ({ day, key: randomness.next().value }))
          .sort((a, b) => a.key - b.key)
          .map(({ day }) => day);
        expect(StreakCalculator.summarize(shuffled)).toEqual(StreakCalculator.summarize(days));
      }),
    );
  });

  it('agrees with a day-by-day count for any set of days', () => {
    fc.assert(
      fc.property(practiceDays, (days) => {
        const summary = StreakCalculator.summarize(days);
        const set = new Set(days);
        if (set.size === 0) {
          expect(summary.currentStreak).toBe(0);
          return;
        }
        const last = [...set].sort().at(-1)!;
        expect(summary.lastPracticeDate).toBe(last);
        expect(summary.currentStreak).toBe(runEndingAt(set, last));
        expect(summary.longestStreak).toBe(Math.max(...[...set].map((day) => runEndingAt(set, day))));
      }),
    );
  });

  it('never lowers the longest streak when a day is added', () => {
    fc.assert(
      fc.property(practiceDays, fc.integer({ min: 19_000, max: 19_120 }).map(dateFromDay), (days, extra) => {
        expect(StreakCalculator.summarize([...days, extra]).longestStreak).toBeGreaterThanOrEqual(
          StreakCalculator.summarize(days).longestStreak,
        );
      }),
    );
  });

  describe('as the user sees it', () => {
    const summary = StreakCalculator.summarize(['2026-03-01', '2026-03-02', '2026-03-03']);

    it('shows the streak on the last practice day and the day after', () => {
      expect(StreakCalculator.displayedStreak(summary, '2026-03-03')).toBe(3);
      expect(StreakCalculator.displayedStreak(summary, '2026-03-04')).toBe(3);
    });

    it('shows 0 once today is more than one day after the last practice day', () => {
      expect(StreakCalculator.displayedStreak(summary, '2026-03-05')).toBe(0);
    });
  });

  describe('across DST changes', () => {
    it('counts practice on both sides of the spring-forward day in Berlin as consecutive', () => {
      const zone = 'Europe/Berlin';
      // 2026-03-29 has 23 hours in Berlin. Sessions 23 real hours apart still land on consecutive dates.
      const days = ['2026-03-28T23:30:00+01:00', '2026-03-29T23:30:00+02:00', '2026-03-30T00:30:00+02:00'].map((instant) =>
        localDateOf(new Date(instant), zone),
      );
      expect(days).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
      expect(StreakCalculator.summarize(days).currentStreak).toBe(3);
    });

    it('does not count two sessions 24 hours apart across fall-back in New York as a skipped day', () => {
      const zone = 'America/New_York';
      // 2026-11-01 has 25 hours in New York: 00:30 on Nov 1 plus 24 h is 23:30 the same day.
      const first = localDateOf(new Date('2026-11-01T00:30:00-04:00'), zone);
      const second = localDateOf(new Date(new Date('2026-11-01T00:30:00-04:00').getTime() + 24 * 3_600_000), zone);
      expect([first, second]).toEqual(['2026-11-01', '2026-11-01']);
      expect(StreakCalculator.summarize([first, second, '2026-11-02']).currentStreak).toBe(2);
    });
  });
});
