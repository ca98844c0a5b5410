import { loadRulesFile } from '@app/config';
import type { SessionCompletedMessage } from '@app/testing';
import { aSessionCompleted, aUserId, expectedProgress } from '@app/testing';
import { EngineHarness } from '../support/engine-harness';
import { assertInvariants } from './support/invariants';

const rules = loadRulesFile('config/rules.yaml');

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
      rules,
      produced: arrival,
    });
    expect(expectedProgress(rules, berlinDays)).toMatchObject({ currentStreak: 7, longestStreak: 7, lastPracticeDate: '2026-10-28' });
    expect(expectedProgress(rules, newYorkDays)).toMatchObject({ currentStreak: 4, longestStreak: 4, lastPracticeDate: '2026-11-03' });
    expect(await engine.badgeCodes(berlin)).toEqual(expect.arrayContaining(['ON_FIRE', 'WEEK_WARRIOR']));
  });
});
