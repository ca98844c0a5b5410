import fc from 'fast-check';
import { referenceStreakNotices, referenceUser, type ReferenceEvent } from '@app/testing';
import { dateOfEpochDay, epochDay, localDateOf } from '../time/local-date';
import { StreakCalculator } from './streak-calculator';
import { StreakNotifier, type StreakWatch } from './streak-notices';

// The engine's streak against the contract's, written apart from it (libs/testing/src/contract-reference.ts).
const SEED = Number(process.env.PROPERTY_SEED ?? 20261126);
const HOUR = 3_600_000;

// From UTC−11 to UTC+14, with DST on both hemispheres, a 30-minute DST (Lord Howe) and a :45 offset.
const ZONES = [
  'Pacific/Pago_Pago',
  'America/Los_Angeles',
  'America/New_York',
  'America/Sao_Paulo',
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kathmandu',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Auckland',
  'Pacific/Kiritimati',
];
// Periods that hold DST changes: March and April, October and November 2026.
const PERIOD_STARTS = [Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-09-20T00:00:00Z')];
const freezeRules = fc.record({ earnEveryDays: fc.integer({ min: 1, max: 8 }), maxHeld: fc.integer({ min: 0, max: 3 }) });

/** Sessions of one user: mostly a day apart, a gap now and then, in one zone or hopping between a few. */
const sessionsOf = fc
  .record({
    start: fc.constantFrom(...PERIOD_STARTS),
    steps: fc.array(fc.integer({ min: 2, max: 80 }), { minLength: 1, maxLength: 40 }),
    zones: fc.array(fc.constantFrom(...ZONES), { minLength: 1, maxLength: 3 }),
    zoneOf: fc.infiniteStream(fc.nat()),
    shortOnes: fc.infiniteStream(fc.nat({ max: 9 })),
  })
  .map(({ start, steps, zones, zoneOf, shortOnes }) => {
    let at = start;
    return steps.map((hours, index): ReferenceEvent => {
      at += hours * HOUR;
      return {
        eventId: `e${index}`,
        userId: 'u',
        completedAt: new Date(at).toISOString(),
        durationSeconds: shortOnes.next().value === 0 ? 30 : 900,
        score: 70,
        timezone: zones[zoneOf.next().value % zones.length],
      };
    });
  });

describe('the streak against the contract reference', () => {
  it('shows, at any instant, the streak, the freezes held and the frozen days the contract walks to', () => {
    fc.assert(
      fc.property(sessionsOf, freezeRules, fc.integer({ min: 0, max: 120 }), (events, freeze, hoursAfter) => {
        const now = new Date(Date.parse(events.at(-1)!.completedAt) + hoursAfter * HOUR);
        // The engine's fold: each counted session's day in its own zone, else the last one seen.
        let zone = 'UTC';
        const days: string[] = [];
        for (const event of events) {
          zone = event.timezone ?? zone;
          if (event.durationSeconds >= 60) {
            days.push(localDateOf(new Date(event.completedAt), zone));
          }
        }
        const summary = StreakCalculator.summarize(days, freeze);
        const today = StreakCalculator.on(summary, localDateOf(now, zone));
        const expected = referenceUser(events, now, freeze);
        expect({ ...today, longestStreak: summary.longestStreak }).toEqual({
          currentStreak: expected.currentStreak,
          freezesHeld: expected.freezesHeld,
          frozenDays: expected.frozenDays,
          longestStreak: expected.longestStreak,
        });
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('sends the notices the contract sends, once each, however the sweeps fall across midnights, DST and the reminder', () => {
    const practice = fc.record({
      start: fc.constantFrom(...PERIOD_STARTS.map((start) => Math.round(start / 86_400_000) + 20)),
      gaps: fc.array(fc.constantFrom(1, 1, 1, 1, 2, 2, 3, 4), { minLength: 1, maxLength: 25 }),
    });
    const sweeps = fc.record({ offsetMinutes: fc.integer({ min: 0, max: 3 * 24 * 60 }), intervals: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 60 }) });
    fc.assert(
      fc.property(practice, fc.constantFrom(...ZONES), freezeRules, fc.constantFrom('20:00', '07:30', '23:59', '00:00'), sweeps, (days, zone, freeze, reminder, timing) => {
        const practiceDays = days.gaps.reduce<number[]>((list, gap) => [...list, (list.at(-1) ?? days.start) + gap], []).map(dateOfEpochDay);
        const last = practiceDays.at(-1)!;
        // Sweeping starts on the latest practice day or after it: every practice day is known by then.
        let at = Date.parse(`${last}T00:00:00Z`) + 14 * HOUR + timing.offsetMinutes * 60_000;
        const instants = [at, ...timing.intervals.map((minutes) => (at += minutes * 60_000))].map((time) => new Date(time));
        fc.pre(localDateOf(instants[0], zone) >= last);

        // The contract announces a day end at the day's end: no grace here (the engine's five minutes are tested apart).
        const notifier = new StreakNotifier(reminder, 0);
        // Where the engine would stand at the first sweep: nothing announced before the window the reference looks at.
        const windowStart = localDateOf(new Date(instants[0].getTime() - 48 * HOUR - 1), zone);
        let watch: StreakWatch = {
          summary: StreakCalculator.summarize(practiceDays, freeze),
          zone,
          cursor: { warnedOn: null, dayEndsThrough: dateOfEpochDay(Math.max(epochDay(last), epochDay(windowStart) - 1)) },
        };
        const sent = instants.flatMap((instant) => {
          const due = notifier.due(watch, instant);
          if (due.nextDueAt !== null) {
            expect(due.nextDueAt.getTime()).toBeGreaterThan(instant.getTime());
          }
          watch = { ...watch, cursor: due.cursor };
          return due.notices.map((notice) => (notice.type === 'streak.at_risk' ? { ...notice, dayEndsAt: notice.dayEndsAt.toISOString() } : notice));
        });
        const dateOf = (notice: { type: string; localDate?: string; frozenDate?: string; lostOn?: string }) => notice.localDate ?? notice.frozenDate ?? notice.lostOn!;
        const expected = referenceStreakNotices(practiceDays, zone, instants, { freeze, reminderLocalTime: reminder }).filter((notice) => dateOf(notice) > last);
        expect(sent).toEqual(expected);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
