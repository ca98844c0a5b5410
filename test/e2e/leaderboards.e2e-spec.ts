import { recreateDatabase } from '@app/dev-stack';
import { aSessionCompleted } from '@app/testing';
import { ApiHarness, bearer, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';
import { ownDatabaseUrl } from '../support/test-env';

/** The two leaderboard routes of contract section 9 over HTTP, on a database of their own. */
describe('leaderboards over HTTP', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    const url = ownDatabaseUrl('gamification_test_leaderboards_http');
    await recreateDatabase(url, () => undefined);
    api = await ApiHarness.start({ DATABASE_URL: url });
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

  it('documents both routes in the OpenAPI document', async () => {
    const { body } = await api.http().get('/docs-json').expect(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/gamification/leaderboards', '/gamification/leaderboards/{code}']));
    const parameters = body.paths['/gamification/leaderboards/{code}'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(parameters).toEqual(expect.arrayContaining(['code', 'period', 'limit', 'offset', 'around']));
  });
});
