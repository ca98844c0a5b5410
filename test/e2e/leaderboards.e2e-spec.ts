import Redis from 'ioredis';
import { Client } from 'pg';
import { recreateDatabase } from '@app/dev-stack';
import { aSessionCompleted, eventually } from '@app/testing';
import { ApiHarness, bearer, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';
import { ownDatabaseUrl } from '../support/test-env';

/** The two leaderboard routes of contract section 9 over HTTP, on a database of their own. */
describe('leaderboards over HTTP', () => {
  let api: ApiHarness;
  const url = ownDatabaseUrl('gamification_test_leaderboards_http');
  const prefix = `test-leaderboards-http-${process.pid}:`;

  beforeAll(async () => {
    await recreateDatabase(url, () => undefined);
    api = await ApiHarness.start({ DATABASE_URL: url, REDIS_KEY_PREFIX: prefix });
    // Sessions completed a minute ago, so in the current period of every board. 50 + 5 * floor(score / 10) + 30 XP.
    const completedAt = new Date(Date.now() - 60_000).toISOString();
    for (const [userId, score] of [['lena', 100], ['marc', 80], ['nora', 60]] as const) {
      await api.http().post('/gamification/sync-progress').set(bearer(TEST_SERVICE_KEY)).send(aSessionCompleted({ userId, completedAt, score })).expect(200);
    }
  });

  afterAll(async () => {
    await api?.stop();
  });

  const get = (path: string, userId = 'marc') => api.http().get(path).set(bearer(tokenFor(userId)));

  it('lists the boards of the rules in force', async () => {
    const { body } = await get('/gamification/leaderboards').expect(200);
    expect(body).toEqual({
      leaderboards: [
        { code: 'WEEKLY_XP', name: 'This week', period: 'week' },
        { code: 'MONTHLY_XP', name: 'This month', period: 'month' },
        { code: 'ALL_TIME_XP', name: 'All time', period: 'all' },
      ],
    });
  });

  it('answers a board’s current period with the caller’s rank, a page, and the caller’s neighbours', async () => {
    const { body } = await get('/gamification/leaderboards/WEEKLY_XP').expect(200);
    expect(body).toEqual({
      code: 'WEEKLY_XP',
      name: 'This week',
      period: { key: expect.stringMatching(/^\d{4}-W\d{2}$/), start: expect.any(String), end: expect.any(String), final: false },
      participants: 3,
      entries: [
        { rank: 1, userId: 'lena', xp: 130 },
        { rank: 2, userId: 'marc', xp: 120 },
        { rank: 3, userId: 'nora', xp: 110 },
      ],
      me: { rank: 2, xp: 120 },
    });
    expect(Date.parse(body.period.end) - Date.parse(body.period.start)).toBeGreaterThanOrEqual(7 * 86_400_000 - 3_600_000);
    const page = await get('/gamification/leaderboards/MONTHLY_XP?limit=1&offset=2', 'lena').expect(200);
    expect([page.body.entries, page.body.me]).toEqual([[{ rank: 3, userId: 'nora', xp: 110 }], { rank: 1, xp: 130 }]);
    const around = await get('/gamification/leaderboards/ALL_TIME_XP?around=me', 'nora').expect(200);
    expect([around.body.period, around.body.entries.map((entry: { userId: string }) => entry.userId)]).toEqual([
      { key: 'all', start: null, end: null, final: false },
      ['lena', 'marc', 'nora'],
    ]);
    const stranger = await get(`/gamification/leaderboards/WEEKLY_XP?period=${body.period.key}&around=me`, 'olga').expect(200);
    expect([stranger.body.me, stranger.body.entries, stranger.body.participants]).toEqual([null, [], 3]);
    const previous = await get('/gamification/leaderboards/WEEKLY_XP?period=previous').expect(200);
    expect([previous.body.period.end, previous.body.participants, previous.body.me]).toEqual([body.period.start, 0, null]);
  });

  it('refuses an unknown board (404) and a bad period, limit, offset or around (400), naming the field', async () => {
    const unknown = await get('/gamification/leaderboards/DAILY_XP').expect(404);
    expect(unknown.body).toMatchObject({ code: 'LEADERBOARD_NOT_FOUND' });
    for (const [query, field] of [
      ['period=tomorrow', 'period'],
      ['period=2026-13', 'period'],
      ['period=2026-W48', 'period'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=1.5', 'offset'],
      ['around=you', 'around'],
      ['sort=xp', 'sort'],
    ]) {
      const board = query === 'period=2026-W48' ? 'MONTHLY_XP' : 'WEEKLY_XP';
      const { body } = await get(`/gamification/leaderboards/${board}?${query}`).expect(400);
      expect([query, body.code, body.message]).toEqual([query, 'VALIDATION_FAILED', expect.stringMatching(new RegExp(`^${field}:`))]);
    }
    await api.http().get('/gamification/leaderboards/WEEKLY_XP').expect(401);
  });

  it('answers from Postgres while a board is rebuilt, and 503 LEADERBOARD_REBUILDING with Retry-After when Postgres already answers as many board reads as it may', async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const fromRedis = await get('/gamification/leaderboards/WEEKLY_XP?around=me').expect(200);
    const board = `${prefix}lb:WEEKLY_XP:${fromRedis.body.period.key}`;
    // As while another process rebuilds it: the board's mark gone and the build lease held elsewhere.
    await redis.del(`${board}:built`);
    await redis.set(`${board}:building`, 'another process', 'PX', 60_000);
    const locker = new Client({ connectionString: url });
    const watcher = new Client({ connectionString: url });
    try {
      expect((await get('/gamification/leaderboards/WEEKLY_XP?around=me').expect(200)).body).toEqual(fromRedis.body);
      // Postgres made slow: the reads it answers wait on the table's lock, and hold their slots.
      await Promise.all([locker.connect(), watcher.connect()]);
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE leaderboard_entries IN ACCESS EXCLUSIVE MODE');
      const slow = [get('/gamification/leaderboards/WEEKLY_XP?around=me'), get('/gamification/leaderboards/WEEKLY_XP?around=me', 'lena')].map((call) => call.then((response) => response));
      await eventually('both reads to wait on the lock', async () => {
        const { rows } = await watcher.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
        return rows[0].waiting === 2 ? true : undefined;
      });
      const refused = await get('/gamification/leaderboards/WEEKLY_XP', 'nora').expect(503);
      expect([refused.body.code, refused.headers['retry-after']]).toEqual(['LEADERBOARD_REBUILDING', '2']);
      await locker.query('COMMIT');
      const [mine, lenas] = await Promise.all(slow);
      expect([mine.status, mine.body]).toEqual([200, fromRedis.body]);
      expect([lenas.status, lenas.body.me]).toEqual([200, { rank: 1, xp: 130 }]);
    } finally {
      await Promise.all([locker.end(), watcher.end()]);
      await redis.del(`${board}:building`);
      redis.disconnect();
    }
  });

  it('documents both routes in the OpenAPI document', async () => {
    const { body } = await api.http().get('/docs-json').expect(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/gamification/leaderboards', '/gamification/leaderboards/{code}']));
    const parameters = body.paths['/gamification/leaderboards/{code}'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(parameters).toEqual(expect.arrayContaining(['code', 'period', 'limit', 'offset', 'around']));
  });
});
