import { randomUUID } from 'node:crypto';
import { aSessionCompleted, aUserId, aZoneAtMidday, type SessionCompletedMessage } from '@app/testing';
import { ApiHarness, bearer, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';

interface Challenge {
  id: string;
  type: string;
  progress: number;
  target: number;
  isCompleted: boolean;
  isClaimed: boolean;
  expiresAt: string;
}

describe('profiles and challenge claims over HTTP', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
  });

  afterAll(async () => {
    await api?.stop();
  });

  /** Sessions of today in a zone where it is midday, applied through the internal sync route. */
  async function practise(userId: string, ...sessions: Array<Partial<SessionCompletedMessage>>): Promise<void> {
    const timezone = aZoneAtMidday();
    for (const [index, session] of sessions.entries()) {
      const completedAt = new Date(Date.now() - (sessions.length - index) * 1000).toISOString();
      await api
        .http()
        .post('/gamification/sync-progress')
        .set(bearer(TEST_SERVICE_KEY))
        .send(aSessionCompleted({ userId, completedAt, timezone, ...session }))
        .expect(200);
    }
  }

  async function profileOf(userId: string) {
    const response = await api.http().get('/gamification/profile').set(bearer(tokenFor(userId))).expect(200);
    return response.body;
  }

  async function challengeOf(userId: string, type: string): Promise<Challenge> {
    const { challenges } = await profileOf(userId);
    return challenges.find((challenge: Challenge) => challenge.type === type);
  }

  const claim = (userId: string, challengeId: string) =>
    api.http().post(`/gamification/claim-challenge/${challengeId}`).set(bearer(tokenFor(userId)));

  it('shows a never-seen user the Lobby: level 1, 0 XP, streak 0, no badges and today’s challenges', async () => {
    const userId = aUserId('lobby');
    const before = Date.now();
    const profile = await profileOf(userId);
    const after = Date.now();

    expect(profile).toMatchObject({
      userId,
      level: 1,
      totalXp: 0,
      xpIntoLevel: 0,
      xpForNextLevel: 100,
      currentStreak: 0,
      longestStreak: 0,
      lastPracticeDate: null,
      sessionsCompleted: 0,
      badges: [],
    });
    // A never-seen user's day is the UTC day: the challenges expire at the next UTC midnight.
    const nextUtcMidnight = (at: number) => `${new Date(at + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`;
    expect(profile.challenges.map((c: Challenge) => [c.type, c.progress, c.target, c.isCompleted, c.isClaimed])).toEqual(
      expect.arrayContaining([
        ['COMPLETE_SESSIONS', 0, 2, false, false],
        ['SCORE_AT_LEAST', 0, 1, false, false],
        ['PRACTICE_MINUTES', 0, 1800, false, false],
      ]),
    );
    expect(profile.challenges).toHaveLength(3);
    for (const challenge of profile.challenges as Challenge[]) {
      expect([nextUtcMidnight(before), nextUtcMidnight(after)]).toContain(challenge.expiresAt);
    }
  });

  it('creates today’s challenges once, however often the profile is read', async () => {
    const userId = aUserId('reads');
    const reads = await Promise.all(Array.from({ length: 5 }, () => profileOf(userId)));
    const ids = reads.map((profile) => profile.challenges.map((c: Challenge) => c.id).sort().join());
    expect(new Set(ids).size).toBe(1);
    const [{ count }] = await api.dataSource.query(`SELECT count(*)::int AS count FROM daily_challenges WHERE user_id = $1`, [userId]);
    expect(count).toBe(3);
  });

  it('shows the contract’s example numbers: 180 XP is level 2, 80 into it, 200 to the next', async () => {
    const userId = aUserId('numbers');
    await practise(userId, { durationSeconds: 1800, score: 82 }, { durationSeconds: 600, score: null });
    expect(await profileOf(userId)).toMatchObject({
      level: 2,
      totalXp: 180,
      xpIntoLevel: 80,
      xpForNextLevel: 200,
      currentStreak: 1,
      longestStreak: 1,
      sessionsCompleted: 2,
      badges: [expect.objectContaining({ code: 'FIRST_STEPS', name: 'First Steps', description: 'Complete your first practice session' })],
    });
  });

  it('claims a completed challenge once, adding its XP', async () => {
    const userId = aUserId('claimer');
    await practise(userId, { durationSeconds: 600, score: null }, { durationSeconds: 600, score: null });
    const challenge = await challengeOf(userId, 'COMPLETE_SESSIONS');
    expect(challenge).toMatchObject({ progress: 2, isCompleted: true, isClaimed: false });

    const response = await claim(userId, challenge.id).expect(200);
    expect(response.body).toEqual({
      challenge: { ...challenge, isClaimed: true },
      xpAwarded: 100,
      level: 2,
      totalXp: 220,
      leveledUp: false,
    });
    expect((await profileOf(userId)).totalXp).toBe(220);
  });

  it('levels up through a claim and writes one level.up whose source is the challenge', async () => {
    const userId = aUserId('claim-level');
    await practise(userId, { durationSeconds: 1800, score: 100 }, { durationSeconds: 1800, score: 100 });
    const challenge = await challengeOf(userId, 'COMPLETE_SESSIONS');

    const response = await claim(userId, challenge.id).expect(200);
    expect(response.body).toMatchObject({ xpAwarded: 100, level: 3, totalXp: 360, leveledUp: true });
    const rows = await api.dataSource.query(
      `SELECT payload FROM outbox_messages WHERE message_key = $1 AND payload->>'sourceEventId' = $2`,
      [userId, `challenge:${challenge.id}`],
    );
    expect(rows.map((row: { payload: unknown }) => row.payload)).toEqual([
      expect.objectContaining({ type: 'level.up', userId, previousLevel: 2, newLevel: 3, totalXp: 360 }),
    ]);
  });

  it('refuses a challenge that is not completed yet with 409 CHALLENGE_NOT_COMPLETED', async () => {
    const userId = aUserId('not-done');
    await practise(userId, { durationSeconds: 600, score: null });
    const challenge = await challengeOf(userId, 'COMPLETE_SESSIONS');

    const response = await claim(userId, challenge.id).expect(409);
    expect(response.body).toEqual({ statusCode: 409, code: 'CHALLENGE_NOT_COMPLETED', message: expect.any(String) });
    expect((await profileOf(userId)).totalXp).toBe(60);
  });

  it('refuses a second claim with 409 CHALLENGE_ALREADY_CLAIMED', async () => {
    const userId = aUserId('twice');
    await practise(userId, { durationSeconds: 600, score: 85 });
    const challenge = await challengeOf(userId, 'SCORE_AT_LEAST');
    await claim(userId, challenge.id).expect(200);

    const response = await claim(userId, challenge.id).expect(409);
    expect(response.body).toMatchObject({ statusCode: 409, code: 'CHALLENGE_ALREADY_CLAIMED' });
    expect((await profileOf(userId)).totalXp).toBe(60 + 40 + 75);
  });

  it('refuses a completed challenge of a day that has ended with 410 CHALLENGE_EXPIRED', async () => {
    const userId = aUserId('expired');
    await practise(userId, { durationSeconds: 600, score: null });
    const [{ id }] = await api.dataSource.query(
      `INSERT INTO daily_challenges (user_id, challenge_date, type, description, target, xp_reward, progress, completed_at, expires_at)
       VALUES ($1, current_date - 2, 'COMPLETE_SESSIONS', 'Complete 2 practice sessions today', 2, 100, 2, now() - interval '2 days', now() - interval '1 day')
       RETURNING id`,
      [userId],
    );

    const response = await claim(userId, id).expect(410);
    expect(response.body).toMatchObject({ statusCode: 410, code: 'CHALLENGE_EXPIRED' });
    expect((await profileOf(userId)).totalXp).toBe(60);
  });

  it('answers another user’s challenge exactly as an unknown one: 404 CHALLENGE_NOT_FOUND', async () => {
    const owner = aUserId('owner');
    await practise(owner, { durationSeconds: 600, score: 95 });
    const challenge = await challengeOf(owner, 'SCORE_AT_LEAST');
    const intruder = aUserId('intruder');

    const theirs = await claim(intruder, challenge.id).expect(404);
    const unknown = await claim(intruder, randomUUID()).expect(404);
    expect(theirs.body).toEqual(unknown.body);
    expect(theirs.body).toMatchObject({ statusCode: 404, code: 'CHALLENGE_NOT_FOUND' });
    expect((await challengeOf(owner, 'SCORE_AT_LEAST')).isClaimed).toBe(false);
  });

  it('adds the XP exactly once when 50 claims of one challenge arrive at once', async () => {
    const userId = aUserId('race');
    await practise(userId, { durationSeconds: 1800, score: null });
    const challenge = await challengeOf(userId, 'PRACTICE_MINUTES');

    const responses = await Promise.all(Array.from({ length: 50 }, () => claim(userId, challenge.id)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    expect((await profileOf(userId)).totalXp).toBe(80 + 50);
  });
});
