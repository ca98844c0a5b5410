import type { SessionCompletedMessage } from '@app/testing';
import { aSessionCompleted, aUserId } from '@app/testing';
import { EngineHarness } from '../support/engine-harness';
import { assertInvariants } from './support/invariants';


describe('scenario 9: late and out-of-order events across several days and a DST change', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('keeps each streak equal to what the set of practice days says', async () => {
    // Berlin leaves summer time on 2026-10-25 (a 25-hour day); New York on 2026-11-01.
    const berlin = aUserId('berlin');
    const newYork = aUserId('new-york');
    const at = (userId: string, timezone: string, iso: string): SessionCompletedMessage =>
      aSessionCompleted({ userId, timezone, completedAt: iso, durationSeconds: 900, score: 70 });
    const berlinDays = [
      '2026-10-22T21:30:00+02:00',
      '2026-10-23T23:45:00+02:00',
      '2026-10-24T23:59:00+02:00',
      '2026-10-25T00:30:00+02:00',
      '2026-10-25T23:30:00+01:00',
      '2026-10-26T00:10:00+01:00',
      '2026-10-28T12:00:00+01:00',
      '2026-10-27T08:00:00+01:00',
    ].map((iso) => at(berlin, 'Europe/Berlin', iso));
    const newYorkDays = [
      '2026-10-31T23:30:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:30:00-05:00',
      '2026-11-03T20:00:00-05:00',
      '2026-11-02T22:00:00-05:00',
    ].map((iso) => at(newYork, 'America/New_York', iso));
    // Shuffled arrival: the latest days first, the earliest last.
    const arrival = [...berlinDays.slice(4), ...newYorkDays.slice(3), ...berlinDays.slice(0, 4).reverse(), ...newYorkDays.slice(0, 3).reverse()];
    for (const event of arrival) {
      await engine.send(event.userId, event);
    }

    await assertInvariants({
      ...engine.invariantInputs(),
      produced: arrival,
    });
    // The local dates read off the calendar by hand, not computed: in Berlin 00:30+02:00 on the 25th
    // and 23:30+01:00 on the 25th are one day (the 25-hour day), and 00:10+01:00 is the 26th; in New
    // York 23:30-04:00 is still the 31st, and both 01:30s of 1 November (before and after the clocks
    // go back) are the 1st. Every session is 900 s with score 70: 50 + 35 + 10 = 95 XP.
    expect(await engine.practiceDates(berlin)).toEqual(['2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27', '2026-10-28']);
    expect(await engine.profile(berlin)).toMatchObject({
      totalXp: 8 * 95,
      level: 4,
      sessionsCompleted: 8,
      currentStreak: 7,
      longestStreak: 7,
      lastPracticeDate: '2026-10-28',
    });
    expect(await engine.badgeCodes(berlin)).toEqual(['FIRST_STEPS', 'ON_FIRE', 'WEEK_WARRIOR']);
    expect(await engine.practiceDates(newYork)).toEqual(['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03']);
    expect(await engine.profile(newYork)).toMatchObject({
      totalXp: 5 * 95,
      level: 3,
      sessionsCompleted: 5,
      currentStreak: 4,
      longestStreak: 4,
      lastPracticeDate: '2026-11-03',
    });
    expect(await engine.badgeCodes(newYork)).toEqual(['FIRST_STEPS', 'ON_FIRE']);
  });
});
