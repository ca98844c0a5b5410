import { aSessionCompleted, aUserId, aZoneAtMidday } from '@app/testing';
import { ApiHarness, bearer, tokenFor } from '../support/api-harness';
import { EngineHarness } from '../support/engine-harness';

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
    // By hand from the contract: the two opening sessions (700 s, score 60) earn 50 + 30 + 10 = 90 each;
    // later session i (600 + 10i s, score i) earns 50 + floor(i / 10) * 5 + 10, together
    // 60 * 60 + 5 * 10 * (0 + 1 + 2 + 3 + 4 + 5) = 4350; the claim adds 100. 4630 XP is level 10
    // (4500 <= 4630 < 5500); 62 sessions on one day, best score 60.
    expect(await engine.profile(userId)).toMatchObject({ totalXp: 180 + 4350 + 100, level: 10, sessionsCompleted: 62, currentStreak: 1 });
    const badges = ['FIRST_STEPS', 'GETTING_SERIOUS', 'LEVEL_10', 'LEVEL_5', 'MARATHONER'];
    expect(await engine.badgeCodes(userId)).toEqual(badges);
    // One badge.awarded per badge; level.up events, however the runs were cut, chain from 1 to 10.
    const awards = await engine.awardsPublished(userId);
    const rows: Array<{ topic: string; payload: { badgeCode?: string; previousLevel?: number; newLevel?: number } }> =
      await engine.dataSource.query(`SELECT topic, payload FROM outbox_messages WHERE message_key = $1`, [userId]);
    expect(rows).toHaveLength(awards);
    const badgeRows = rows.filter((row) => row.topic === engine.topics.badgeAwarded);
    expect(badgeRows.map((row) => row.payload.badgeCode).sort()).toEqual(badges);
    const levelSteps = rows
      .filter((row) => row.topic === engine.topics.levelUp)
      .map((row) => [row.payload.previousLevel!, row.payload.newLevel!])
      .sort(([a], [b]) => a - b);
    expect(levelSteps.length).toBe(rows.length - badgeRows.length);
    expect(levelSteps[0][0]).toBe(1);
    expect(levelSteps[levelSteps.length - 1][1]).toBe(10);
    expect(levelSteps.every(([previous, next], index) => next > previous && (index === 0 || previous === levelSteps[index - 1][1]))).toBe(true);
  });
});
