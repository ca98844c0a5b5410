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
