import fc from 'fast-check';
import { FREEZES_OFF, type StreakFreezeRules } from '../rules/gamification-rules';
import { epochDay, localDateOf, type LocalDate } from '../time/local-date';
import { StreakCalculator } from './streak-calculator';

const FREEZES: StreakFreezeRules = { earnEveryDays: 7, maxHeld: 2 };
const SEED = Number(process.env.PROPERTY_SEED ?? 20261126);

const dateFromDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
const practiceDays = fc.array(fc.integer({ min: 19_000, max: 19_120 }).map(dateFromDay), { maxLength: 60 });
// Mostly consecutive days with a gap now and then, so that freezes are earned and used.
const streakyDays = fc
  .array(fc.constantFrom(1, 1, 1, 1, 1, 2, 2, 3, 5), { maxLength: 60 })
  .map((steps) => steps.reduce<number[]>((days, step) => [...days, (days.at(-1) ?? 19_000) + step], []).map(dateFromDay));
const freezeRules = fc.record({ earnEveryDays: fc.integer({ min: 1, max: 10 }), maxHeld: fc.integer({ min: 0, max: 4 }) });
const run = (first: string, length: number) => Array.from({ length }, (_, index) => dateFromDay(epochDay(first) + index));

/**
 * The calculator as it was before freezes (commit fe42455), kept here unchanged: with maxHeld 0 the
 * new one must give exactly its results.
 */
const beforeFreezes = {
  summarize(days: Iterable<LocalDate>) {
    const sorted = [...new Set(days)].map(epochDay).sort((a, b) => a - b);
    if (sorted.length === 0) {
      return { currentStreak: 0, longestStreak: 0, lastPracticeDate: null };
    }
    let longest = 1;
    let streak = 1;
    for (let i = 1; i < sorted.length; i += 1) {
      streak = sorted[i] === sorted[i - 1] + 1 ? streak + 1 : 1;
      longest = Math.max(longest, streak);
    }
    return { currentStreak: streak, longestStreak: longest, lastPracticeDate: dateFromDay(sorted[sorted.length - 1]) };
  },
  displayedStreak(summary: { currentStreak: number; lastPracticeDate: LocalDate | null }, today: LocalDate) {
    if (summary.lastPracticeDate === null || epochDay(today) - epochDay(summary.lastPracticeDate) > 1) {
      return 0;
    }
    return summary.currentStreak;
  },
};

describe('StreakCalculator', () => {
  describe('without freezes (maxHeld 0)', () => {
    it('counts consecutive days ending at the latest practice day', () => {
      expect(StreakCalculator.summarize(['2026-03-01', '2026-03-02', '2026-03-03'], FREEZES_OFF)).toEqual({
        currentStreak: 3,
        longestStreak: 3,
        lastPracticeDate: '2026-03-03',
        freezesHeld: 0,
        frozenDays: [],
      });
    });

    it('resets the current streak after a gap but keeps the longest run', () => {
      expect(StreakCalculator.summarize(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-05'], FREEZES_OFF)).toMatchObject({
        currentStreak: 1,
        longestStreak: 3,
        lastPracticeDate: '2026-03-05',
      });
    });

    it('counts runs across month and year ends and leap days', () => {
      expect(StreakCalculator.summarize(['2027-12-31', '2028-01-01'], FREEZES_OFF).currentStreak).toBe(2);
      expect(StreakCalculator.summarize(['2028-02-28', '2028-02-29', '2028-03-01'], FREEZES_OFF).currentStreak).toBe(3);
      expect(StreakCalculator.summarize(['2027-02-28', '2027-03-01'], FREEZES_OFF).currentStreak).toBe(2);
    });

    it('gives exactly what the calculator before freezes gave, summary and streak shown on any day', () => {
      fc.assert(
        fc.property(practiceDays, fc.integer({ min: 19_000, max: 19_130 }).map(dateFromDay), fc.integer({ min: 1, max: 10 }), (days, today, earnEveryDays) => {
          const summary = StreakCalculator.summarize(days, { earnEveryDays, maxHeld: 0 });
          const before = beforeFreezes.summarize(days);
          expect(summary).toEqual({ ...before, freezesHeld: 0, frozenDays: [] });
          expect(StreakCalculator.on(summary, today).currentStreak).toBe(beforeFreezes.displayedStreak(before, today));
        }),
        { seed: SEED, numRuns: 500 },
      );
    });
  });

  describe('with freezes', () => {
    it('earns a freeze at 7 days and spends it on one missed day, keeping (not increasing) the streak', () => {
      const days = [...run('2026-11-01', 7), '2026-11-09'];
      expect(StreakCalculator.summarize(days, FREEZES)).toEqual({
        currentStreak: 8,
        longestStreak: 8,
        lastPracticeDate: '2026-11-09',
        freezesHeld: 0,
        frozenDays: ['2026-11-08'],
      });
    });

    it('ends the streak on the first missed day beyond the freezes held', () => {
      const days = [...run('2026-11-01', 7), '2026-11-10'];
      expect(StreakCalculator.summarize(days, FREEZES)).toMatchObject({ currentStreak: 1, longestStreak: 7, freezesHeld: 0, frozenDays: [] });
    });

    it('holds no more than maxHeld', () => {
      expect(StreakCalculator.summarize(run('2026-01-01', 30), FREEZES)).toMatchObject({ currentStreak: 30, freezesHeld: 2 });
      expect(StreakCalculator.summarize(run('2026-01-01', 30), { earnEveryDays: 7, maxHeld: 1 })).toMatchObject({ freezesHeld: 1 });
    });

    it('counts a late event for a frozen day as practice, and the freeze is back', () => {
      const withGap = [...run('2026-11-01', 7), '2026-11-09', '2026-11-10'];
      expect(StreakCalculator.summarize(withGap, FREEZES)).toMatchObject({ currentStreak: 9, freezesHeld: 0, frozenDays: ['2026-11-08'] });
      expect(StreakCalculator.summarize([...withGap, '2026-11-08'], FREEZES)).toMatchObject({ currentStreak: 10, freezesHeld: 1, frozenDays: [] });
    });

    it('changes nothing for today, unpractised, until it ends; then each ended day uses a freeze, then the streak ends', () => {
      const summary = StreakCalculator.summarize(run('2026-11-01', 14), FREEZES);
      expect(summary).toMatchObject({ currentStreak: 14, freezesHeld: 2, lastPracticeDate: '2026-11-14' });
      expect(StreakCalculator.on(summary, '2026-11-15')).toEqual({ currentStreak: 14, freezesHeld: 2, frozenDays: [] });
      expect(StreakCalculator.on(summary, '2026-11-16')).toEqual({ currentStreak: 14, freezesHeld: 1, frozenDays: ['2026-11-15'] });
      expect(StreakCalculator.on(summary, '2026-11-17')).toEqual({ currentStreak: 14, freezesHeld: 0, frozenDays: ['2026-11-15', '2026-11-16'] });
      expect(StreakCalculator.on(summary, '2026-11-18')).toEqual({ currentStreak: 0, freezesHeld: 0, frozenDays: [] });
    });

    it('depends only on the set of practice days, not on their order or repetitions', () => {
      fc.assert(
        fc.property(fc.oneof(practiceDays, streakyDays), freezeRules, fc.infiniteStream(fc.nat()), (days, freeze, randomness) => {
          const shuffled = [...days, ...days.slice(0, 5)]
            .map((day) => ({ day, key: randomness.next().value }))
            .sort((a, b) => a.key - b.key)
            .map(({ day }) => day);
          expect(StreakCalculator.summarize(shuffled, freeze)).toEqual(StreakCalculator.summarize(days, freeze));
        }),
        { seed: SEED, numRuns: 300 },
      );
    });

    it('gives the freeze back for a late event on any frozen day: that day is practice, and the freeze is held again after it', () => {
      fc.assert(
        fc.property(streakyDays, freezeRules, fc.nat(), (days, freeze, pick) => {
          const before = StreakCalculator.summarize(days, freeze);
          fc.pre(before.frozenDays.length > 0);
          const late = before.frozenDays[pick % before.frozenDays.length];
          expect(StreakCalculator.summarize([...days, late], freeze).frozenDays).not.toContain(late);
          // Up to the late day: frozen, it left one freeze fewer than practised does, and the streak one shorter.
          const earlier = days.filter((day) => day < late);
          const frozenThen = StreakCalculator.on(StreakCalculator.summarize(earlier, freeze), dateFromDay(epochDay(late) + 1));
          const practisedThen = StreakCalculator.summarize([...earlier, late], freeze);
          expect(frozenThen.frozenDays).toContain(late);
          expect(practisedThen.freezesHeld).toBeGreaterThanOrEqual(frozenThen.freezesHeld + 1);
          expect(practisedThen.currentStreak).toBe(frozenThen.currentStreak + 1);
        }),
        { seed: SEED, numRuns: 300 },
      );
    });

    it('never lowers the longest streak when a day is added, without freezes', () => {
      // With freezes it can: a day added early moves where later freezes are earned (contract section
      // 8 earns them at multiples of earnEveryDays, up to maxHeld), and a later gap may then end the streak.
      fc.assert(
        fc.property(practiceDays, freezeRules.map((rules) => ({ ...rules, maxHeld: 0 })), fc.integer({ min: 19_000, max: 19_120 }).map(dateFromDay), (days, freeze, extra) => {
          expect(StreakCalculator.summarize([...days, extra], freeze).longestStreak).toBeGreaterThanOrEqual(
            StreakCalculator.summarize(days, freeze).longestStreak,
          );
        }),
        { seed: SEED, numRuns: 300 },
      );
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
      expect(StreakCalculator.summarize(days, FREEZES_OFF).currentStreak).toBe(3);
    });

    it('does not count two sessions 24 hours apart across fall-back in New York as a skipped day', () => {
      const zone = 'America/New_York';
      // 2026-11-01 has 25 hours in New York: 00:30 on Nov 1 plus 24 h is 23:30 the same day.
      const first = localDateOf(new Date('2026-11-01T00:30:00-04:00'), zone);
      const second = localDateOf(new Date(new Date('2026-11-01T00:30:00-04:00').getTime() + 24 * 3_600_000), zone);
      expect([first, second]).toEqual(['2026-11-01', '2026-11-01']);
      expect(StreakCalculator.summarize([first, second, '2026-11-02'], FREEZES_OFF).currentStreak).toBe(2);
    });
  });
});
