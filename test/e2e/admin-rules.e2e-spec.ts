import { loadRulesFile } from '@app/config';
import { ApiHarness, bearer, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';

const shipped = loadRulesFile('config/rules.yaml');

describe('GET /admin/rules (operators)', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('gives the service credential the version in force and its history, with who applied it and when', async () => {
    const response = await api.http().get('/admin/rules').set(bearer(TEST_SERVICE_KEY)).expect(200);

    const first = response.body.history[response.body.history.length - 1];
    expect(response.body.version).toBe(response.body.history[0].version);
    expect(first).toEqual({
      version: shipped.version,
      status: response.body.history.length === 1 ? 'in-force' : 'superseded',
      source: 'config/rules.yaml',
      appliedBy: 'the first start (RULES_FILE)',
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      usersRecomputed: 0,
      rules: JSON.parse(JSON.stringify(shipped)),
    });
  });

  it('accepts a token with the gamification:admin scope, and refuses users and the sync scope alone', async () => {
    await api.http().get('/admin/rules').set(bearer(tokenFor('ops-1', { scope: 'gamification:admin' }))).expect(200);
    const user = await api.http().get('/admin/rules').set(bearer(tokenFor('user-1'))).expect(403);
    await api.http().get('/admin/rules').set(bearer(tokenFor('svc-1', { scope: 'gamification:sync' }))).expect(403);
    await api.http().get('/admin/rules').expect(401);

    expect(user.body).toEqual({
      statusCode: 403,
      code: 'FORBIDDEN',
      message: 'This route needs the service key or a token with the gamification:admin scope.',
    });
  });
});
