import fc from 'fast-check';
import { dateOfEpochDay, endOfLocalDay, epochDay, isValidTimeZone, localDateOf, localTimeOn } from './local-date';

describe('local dates', () => {
  it('takes the calendar date in the given zone, not in UTC', () => {
    const instant = new Date('2026-11-25T23:30:00Z');
    expect(localDateOf(instant, 'UTC')).toBe('2026-11-25');
    expect(localDateOf(instant, 'Europe/Berlin')).toBe('2026-11-26');
    expect(localDateOf(instant, 'America/Los_Angeles')).toBe('2026-11-25');
    expect(localDateOf(new Date('2026-11-25T10:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-11-26');
  });

  it('gives the date Intl gives for any instant, in zones with DST, half-hour offsets, a midnight DST change or a day skipped', () => {
    // Santiago changes DST at midnight; Lord Howe by half an hour; Apia skipped 2011-12-30; Kathmandu is +05:45.
    const zones = ['UTC', 'Europe/Berlin', 'America/Santiago', 'Australia/Lord_Howe', 'Pacific/Apia', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/St_Johns'];
    const reference = (instant: Date, zone: string) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
    const from = Date.parse('2011-01-01T00:00:00Z');
    const to = Date.parse('2030-12-31T00:00:00Z');
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: from, max: to }), fc.integer({ min: -2, max: 2 }), (zone, at, nudge) => {
        // Near a local midnight or a DST change as often as not: the minute before, of and after a whole hour.
        const instant = new Date(nudge === 0 ? at : Math.floor(at / 3_600_000) * 3_600_000 + nudge * 60_000);
        expect(localDateOf(instant, zone)).toBe(reference(instant, zone));
      }),
      { seed: 20261126, numRuns: 5_000 },
    );
  });

  it('ends a local day at the next local midnight, 23 or 25 hours later on DST days', () => {
    expect(endOfLocalDay('2026-11-25', 'Europe/Berlin').toISOString()).toBe('2026-11-25T23:00:00.000Z');
    const springStart = new Date('2026-03-28T23:00:00Z');
    expect(endOfLocalDay('2026-03-29', 'Europe/Berlin').getTime() - springStart.getTime()).toBe(23 * 3_600_000);
    const fallStart = new Date('2026-10-24T22:00:00Z');
    expect(endOfLocalDay('2026-10-25', 'Europe/Berlin').getTime() - fallStart.getTime()).toBe(25 * 3_600_000);
  });

  it('counts calendar days between dates', () => {
    expect(epochDay('2026-03-30') - epochDay('2026-03-28')).toBe(2);
    expect(epochDay('2027-01-01') - epochDay('2026-12-31')).toBe(1);
    expect(epochDay('2026-03-01') - epochDay('2026-03-05')).toBe(-4);
  });

  it('numbers days as the UTC calendar does, and back, from year 1 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719_162, max: 2_932_896 }), (day) => {
        const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
        expect(epochDay(date)).toBe(day);
        expect(dateOfEpochDay(day)).toBe(date);
      }),
      { seed: 20261126, numRuns: 2000 },
    );
    expect([epochDay('1970-01-01'), epochDay('2028-02-29'), dateOfEpochDay(0), dateOfEpochDay(-1)]).toEqual([0, 21_243, '1970-01-01', '1969-12-31']);
  });

  it('places a wall-clock time on a local day, past a DST gap to its end', () => {
    expect(localTimeOn('2026-11-25', '20:00', 'Europe/Berlin').toISOString()).toBe('2026-11-25T19:00:00.000Z');
    expect(localTimeOn('2026-07-01', '20:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T18:00:00.000Z');
    // 02:30 does not exist in Berlin on 2026-03-29: the clock jumps from 02:00 to 03:00.
    expect(localTimeOn('2026-03-29', '02:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('accepts IANA zone names and rejects others', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
