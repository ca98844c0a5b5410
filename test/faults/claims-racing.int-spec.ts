import { loadRulesFile } from '@app/config';
import { aSessionCompleted, aUserId, aZoneAtMidday, eventually, expectedProgress } from '@app/testing';
import { ApiHarness, bearer, tokenFor } from '../support/api-harness';
import { EngineHarness } from '../support/engine-harness';

const rules = loadRulesFile('config/rules.yaml');

describe('scenario 8: concurrent claims, and claims racing the worker’s updates of the same user', () => {
  let engine: EngineHarness;
  let api: ApiHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
    api = await ApiHarness.start({ TOPIC_BADGE_AWARDED: engine.topics.badgeAwarded, TOPIC_LEVEL_UP: engine.topics.levelUp });
  });

  afterAll(async () => {
    await api?.stop();
    await engine?.stop();
  });

  it('adds a challenge’s XP once and loses none of the sessions applied meanwhile', async () => {
    const userId = aUserId('racer');
    const timezone = aZoneAtMidday();
    const today = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    const opening = [120, 110].map((ago) => aSessionCompleted({ userId, timezone, completedAt: today(ago), durationSeconds: 700, score: 60 }));
    await engine.send(userId, ...opening);
    await engine.processed(...opening.map((event) => event.eventId));
    const token = tokenFor(userId);
    const profile = (await api.http().get('/gamification/profile').set(bearer(token)).expect(200)).body;
    const challenge = profile.challenges.find((c: { type: string }) => c.type === 'COMPLETE_SESSIONS');
    expect(challenge).toMatchObject({ isCompleted: true, isClaimed: false, xpReward: 100 });

    const later = Array.from({ length: 60 }, (_, index) =>
      aSessionCompleted({ userId, timezone, completedAt: today(100 - index), durationSeconds: 600 + index * 10, score: index % 101 }),
    );
    const [responses] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, () => api.http().post(`/gamification/claim-challenge/${challenge.id}`).set(bearer(token)))),
      (async () => {
        for (const event of later) {
          await engine.send(userId, event);
        }
      })(),
    ]);
    await engine.processed(...later.map((event) => event.eventId));

    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409).every((r) => r.body.code === 'CHALLENGE_ALREADY_CLAIMED')).toBe(true);
    expect(responses.filter((response) => response.status !== 200 && response.status !== 409)).toEqual([]);
    const expected = expectedProgress(rules, [...opening, ...later], 100);
    expect(await engine.profile(userId)).toMatchObject({
      totalXp: expected.totalXp,
      level: expected.level,
      sessionsCompleted: expected.sessionsCompleted,
    });
    expect(await engine.badgeCodes(userId)).toEqual(expected.badges);
    await eventually('the outbox to drain', async () => ((await engine.awardsPublished(userId)) > 0 ? true : undefined));
  });
});
