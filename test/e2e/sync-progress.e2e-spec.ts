import { aSessionCompleted, aUserId, aZoneAtMidday } from '@app/testing';
import { ApiHarness, bearer, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';
import { EngineHarness } from '../support/engine-harness';

describe('POST /gamification/sync-progress', () => {
  let engine: EngineHarness;
  let api: ApiHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
    // The api writes award events for the same topics the worker's relay publishes.
    api = await ApiHarness.start({
      TOPIC_BADGE_AWARDED: engine.topics.badgeAwarded,
      TOPIC_LEVEL_UP: engine.topics.levelUp,
    });
  });

  afterAll(async () => {
    await api?.stop();
    await engine?.stop();
  });

  const profileOf = async (userId: string) =>
    (await api.http().get('/gamification/profile').set(bearer(tokenFor(userId))).expect(200)).body;

  it('shows sessions the worker applied from Kafka with the contract’s numbers', async () => {
    const userId = aUserId('from-kafka');
    const timezone = aZoneAtMidday();
    const sessions = [
      aSessionCompleted({ userId, timezone, durationSeconds: 1800, score: 82 }),
      aSessionCompleted({ userId, timezone, durationSeconds: 600, score: null }),
    ];
    await engine.send(userId, ...sessions);
    await engine.processed(...sessions.map((session) => session.eventId));

    const profile = await profileOf(userId);
    expect(profile).toMatchObject({
      userId,
      level: 2,
      totalXp: 180,
      xpIntoLevel: 80,
      xpForNextLevel: 200,
      currentStreak: 1,
      longestStreak: 1,
      sessionsCompleted: 2,
      badges: [expect.objectContaining({ code: 'FIRST_STEPS', name: 'First Steps' })],
    });
    const sessionsChallenge = profile.challenges.find((challenge: { type: string }) => challenge.type === 'COMPLETE_SESSIONS');
    expect(sessionsChallenge).toMatchObject({ progress: 2, target: 2, isCompleted: true, isClaimed: false });
  });

  it('with a user token and no body, re-evaluates streak and badges from the practice days, adds no XP, and is idempotent', async () => {
    const userId = aUserId('offline');
    const zone = aZoneAtMidday();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
    await api
      .http()
      .post('/gamification/sync-progress')
      .set(bearer(TEST_SERVICE_KEY))
      .send(aSessionCompleted({ userId, timezone: zone, durationSeconds: 600, score: null }))
      .expect(200);
    // Two earlier practice days recorded without the profile's streak being recomputed, as after an offline import.
    await api.dataSource.query(
      `INSERT INTO practice_days (user_id, practice_date) VALUES ($1, $2::date - 1), ($1, $2::date - 2)`,
      [userId, today],
    );
    const before = await profileOf(userId);
    expect(before).toMatchObject({ currentStreak: 1, totalXp: 60, badges: [expect.objectContaining({ code: 'FIRST_STEPS' })] });

    const synced = await api.http().post('/gamification/sync-progress').set(bearer(tokenFor(userId))).expect(200);
    expect(synced.body).toMatchObject({ userId, currentStreak: 3, longestStreak: 3, totalXp: 60, sessionsCompleted: 1 });
    expect(synced.body.badges.map((badge: { code: string }) => badge.code)).toEqual(['FIRST_STEPS', 'ON_FIRE']);

    const again = await api.http().post('/gamification/sync-progress').set(bearer(tokenFor(userId))).send({}).expect(200);
    expect(again.body).toEqual(synced.body);
    expect(await profileOf(userId)).toEqual(synced.body);

    await engine.awardsPublished(userId);
    const onFire = engine.recorder
      .values<{ badgeCode: string; sourceEventId: string }>(engine.topics.badgeAwarded, userId)
      .filter((award) => award.badgeCode === 'ON_FIRE');
    expect(onFire).toEqual([expect.objectContaining({ sourceEventId: `sync:${userId}` })]);
  });

  it('with the service key and a SessionCompleted body, applies it and answers the user’s profile', async () => {
    const userId = aUserId('service');
    const response = await api
      .http()
      .post('/gamification/sync-progress')
      .set(bearer(TEST_SERVICE_KEY))
      .send(aSessionCompleted({ userId, timezone: aZoneAtMidday(), durationSeconds: 1800, score: 82, extraField: 'ignored' }))
      .expect(200);
    expect(response.body).toMatchObject({ userId, totalXp: 120, level: 2, sessionsCompleted: 1, currentStreak: 1 });
  });

  it('counts the skill codes the tree does not know in the api’s metrics, a session too short to count included', async () => {
    const unknownSkills = async () => Number(/^gamification_unknown_skills_total (\S+)$/m.exec((await api.http().get('/metrics').expect(200)).text)?.[1]);
    const before = await unknownSkills();
    const send = (durationSeconds: number, skills: string[]) =>
      api.http().post('/gamification/sync-progress').set(bearer(TEST_SERVICE_KEY)).send(aSessionCompleted({ userId: aUserId('skills'), durationSeconds, skills })).expect(200);
    await send(1800, ['graphs', 'kubernetes']);
    await send(30, ['juggling', 'arrays', 'knitting']);
    expect(await unknownSkills()).toBe(before + 3);
  });

  it('with a token whose scope contains gamification:sync and a body, applies it', async () => {
    const userId = aUserId('scoped');
    const serviceToken = tokenFor('interview-service', { scope: 'profile:read gamification:sync' });
    const response = await api
      .http()
      .post('/gamification/sync-progress')
      .set(bearer(serviceToken))
      .send(aSessionCompleted({ userId, durationSeconds: 600, score: null }))
      .expect(200);
    expect(response.body).toMatchObject({ userId, totalXp: 60 });
  });

  it('with a user token and a body, refuses with 403 and applies nothing', async () => {
    const userId = aUserId('cheater');
    const response = await api
      .http()
      .post('/gamification/sync-progress')
      .set(bearer(tokenFor(userId)))
      .send(aSessionCompleted({ userId, durationSeconds: 3600, score: 100 }))
      .expect(403);
    expect(response.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    expect((await profileOf(userId)).totalXp).toBe(0);
  });

  it('counts an eventId once whether it comes over HTTP first and then Kafka, or Kafka first and then HTTP', async () => {
    const userId = aUserId('both-paths');
    // Each later copy is rebuilt with another score and duration (130 XP and two score badges if it
    // were applied), so the totals show that the first copy, on whichever path, is the one counted.
    const retried = (event: ReturnType<typeof aSessionCompleted>) => ({ ...event, durationSeconds: 3600, score: 100 });
    const first = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    await api.http().post('/gamification/sync-progress').set(bearer(TEST_SERVICE_KEY)).send(first).expect(200);
    const marker = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    await engine.send(userId, retried(first), marker);
    await engine.processed(marker.eventId);

    const second = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    await engine.send(userId, second);
    await engine.processed(second.eventId);
    const viaHttp = await api.http().post('/gamification/sync-progress').set(bearer(TEST_SERVICE_KEY)).send(retried(second)).expect(200);

    expect(viaHttp.body).toMatchObject({ totalXp: 180, sessionsCompleted: 3 });
    expect(viaHttp.body.badges.map((badge: { code: string }) => badge.code)).toEqual(['FIRST_STEPS']);
    const sources = await api.dataSource.query(
      `SELECT event_id, source, xp_awarded FROM processed_events WHERE user_id = $1 ORDER BY processed_at`,
      [userId],
    );
    expect(sources).toEqual([
      { event_id: first.eventId, source: 'api', xp_awarded: 60 },
      { event_id: marker.eventId, source: 'kafka', xp_awarded: 60 },
      { event_id: second.eventId, source: 'kafka', xp_awarded: 60 },
    ]);
  });
});
