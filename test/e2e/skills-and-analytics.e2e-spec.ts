import { recreateDatabase } from '@app/dev-stack';
import { aSessionCompleted } from '@app/testing';
import { ApiHarness, bearer, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';
import { ownDatabaseUrl } from '../support/test-env';

/** The two routes of contract section 10 over HTTP, on a database of their own. */
describe('skills and analytics over HTTP', () => {
  let api: ApiHarness;
  const url = ownDatabaseUrl('gamification_test_skills_http');
  const completedAt = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    await recreateDatabase(url, () => undefined);
    api = await ApiHarness.start({ DATABASE_URL: url });
    // 50 + 5 × 8 + 10 × 3 = 120 XP, listing two children of algorithms.
    await api
      .http()
      .post('/gamification/sync-progress')
      .set(bearer(TEST_SERVICE_KEY))
      .send(aSessionCompleted({ userId: 'iris', completedAt, score: 85, durationSeconds: 1800, timezone: 'UTC', skills: ['arrays', 'graphs'] }))
      .expect(200);
  });

  afterAll(async () => {
    await api?.stop();
  });

  const get = (path: string, userId = 'iris') => api.http().get(path).set(bearer(tokenFor(userId)));

  it('answers the caller’s skill tree, a parent counting a session of two of its children once', async () => {
    const { body } = await get('/gamification/skills').expect(200);
    expect(body.skills).toHaveLength(13);
    const byCode = new Map(body.skills.map((skill: { code: string }) => [skill.code, skill]));
    for (const code of ['algorithms', 'arrays', 'graphs']) {
      expect(byCode.get(code)).toMatchObject({ xp: 120, sessions: 1, averageScore: 85, mastery: { level: 1, name: 'Novice', xpIntoMastery: 120, xpForNextMastery: 500, nextName: 'Apprentice' }, lastPracticedAt: completedAt });
    }
    expect(byCode.get('caching')).toEqual({ code: 'caching', name: 'Caching', parent: 'system-design', xp: 0, sessions: 0, averageScore: null, mastery: { level: 1, name: 'Novice', xpIntoMastery: 0, xpForNextMastery: 500, nextName: 'Apprentice' }, lastPracticedAt: null });
  });

  it('answers the caller’s analytics for the last 365 days by default, and for days=1', async () => {
    const today = completedAt.slice(0, 10);
    const { body } = await get('/gamification/analytics').expect(200);
    expect(body.timezone).toBe('UTC');
    expect(body.days).toEqual([{ date: today, sessions: 1, practiceSeconds: 1800, xp: 120, averageScore: 85 }]);
    expect(body.scoreTrend).toEqual([{ date: today, average: 85 }]);
    // 365 days touch 53 or 54 ISO weeks.
    expect(body.weeks.length).toBeGreaterThanOrEqual(53);
    expect(body.weeks.length).toBeLessThanOrEqual(54);
    expect(body.weeks.filter((week: { sessions: number }) => week.sessions > 0)).toEqual([expect.objectContaining({ sessions: 1, practiceSeconds: 1800, xp: 120, averageScore: 85 })]);
    const one = await get('/gamification/analytics?days=1').expect(200);
    expect(one.body.weeks).toHaveLength(1);
  });

  it('refuses days outside 1..366 or not a whole number, and an unknown parameter, naming each (400)', async () => {
    for (const [query, field] of [
      ['days=0', 'days'],
      ['days=367', 'days'],
      ['days=2.5', 'days'],
      ['days=year', 'days'],
      ['from=2026-01-01', 'from'],
    ]) {
      const { body } = await get(`/gamification/analytics?${query}`).expect(400);
      expect([query, body.code, body.message]).toEqual([query, 'VALIDATION_FAILED', expect.stringMatching(new RegExp(`^${field}:`))]);
    }
    await api.http().get('/gamification/skills').expect(401);
    await api.http().get('/gamification/analytics').expect(401);
  });

  it('documents both routes in the OpenAPI document', async () => {
    const { body } = await api.http().get('/docs-json').expect(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/gamification/skills', '/gamification/analytics']));
    expect(body.paths['/gamification/analytics'].get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(['days']);
  });
});
