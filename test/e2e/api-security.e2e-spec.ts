import jwt from 'jsonwebtoken';
import { aSessionCompleted, aUserId, eventually } from '@app/testing';
import { openApiDocumentFromCode } from '../../apps/api/src/openapi/openapi-document';
import { ApiHarness, bearer, TEST_JWT_SECRET, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';

const ERROR_BODY = { statusCode: expect.any(Number), code: expect.stringMatching(/^[A-Z][A-Z_]+$/), message: expect.any(String) };

/** A token with `alg: none`: header and claims, and no signature. */
function unsignedToken(userId: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: userId, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}

describe('the api’s security and bad input', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
  });

  afterAll(async () => {
    await api?.stop();
  });

  describe('authentication', () => {
    // RFC 6750 section 3: a request without a token gets the bare challenge, one with a bad token its error code.
    const INVALID_TOKEN = 'Bearer error="invalid_token"';
    const user = 'user-auth-1';
    it.each([
      ['no Authorization header', {}, 'Bearer'],
      ['a Basic scheme', { Authorization: 'Basic dXNlcjpwYXNz' }, 'Bearer'],
      ['a Bearer scheme without a token', { Authorization: 'Bearer' }, 'Bearer'],
      ['a token that is not a JWT', bearer('not-a-jwt'), INVALID_TOKEN],
      // Expired further back than the 30 s of clock tolerance (JWT_CLOCK_TOLERANCE_SECONDS).
      ['an expired token', bearer(tokenFor(user, {}, { expiresIn: -60 })), INVALID_TOKEN],
      ['a token signed with another secret', bearer(jwt.sign({ sub: user }, 'another-secret-another-secret-1234567', { algorithm: 'HS256' })), INVALID_TOKEN],
      ['a token with alg none', bearer(unsignedToken(user)), INVALID_TOKEN],
      ['a token signed with HS512', bearer(jwt.sign({ sub: user }, TEST_JWT_SECRET, { algorithm: 'HS512' })), INVALID_TOKEN],
      ['a token without sub', bearer(jwt.sign({ scope: 'profile' }, TEST_JWT_SECRET, { algorithm: 'HS256' })), INVALID_TOKEN],
      ['a token whose sub is not a user id', bearer(tokenFor('has spaces/and slashes')), INVALID_TOKEN],
      ['a token not yet valid', bearer(tokenFor(user, {}, { notBefore: 3600 })), INVALID_TOKEN],
    ])('answers 401 to %s', async (_label, headers, challenge) => {
      for (const call of [
        api.http().get('/gamification/profile'),
        api.http().post('/gamification/sync-progress'),
        api.http().post('/gamification/claim-challenge/2b1f1f0e-7d64-4c6e-9b53-3c8e1a7f0c11'),
      ]) {
        const response = await call.set(headers as Record<string, string>);
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ ...ERROR_BODY, statusCode: 401, code: 'UNAUTHORIZED' });
        expect(response.headers['www-authenticate']).toBe(challenge);
      }
    });

    it('checks audience and issuer when they are configured', async () => {
      const strict = await ApiHarness.start({ JWT_AUDIENCE: 'gamification', JWT_ISSUER: 'https://id.example.test' });
      try {
        const good = tokenFor(user, {}, { audience: 'gamification', issuer: 'https://id.example.test' });
        await strict.http().get('/gamification/profile').set(bearer(good)).expect(200);
        for (const bad of [
          tokenFor(user),
          tokenFor(user, {}, { audience: 'another-app', issuer: 'https://id.example.test' }),
          tokenFor(user, {}, { audience: 'gamification', issuer: 'https://evil.example.test' }),
        ]) {
          await strict.http().get('/gamification/profile').set(bearer(bad)).expect(401);
        }
      } finally {
        await strict.stop();
      }
    });

    it('refuses profile and claims to the service key, which acts for no user: 403', async () => {
      const response = await api.http().get('/gamification/profile').set(bearer(TEST_SERVICE_KEY)).expect(403);
      expect(response.body).toEqual({ statusCode: 403, code: 'FORBIDDEN', message: expect.any(String) });
    });
  });

  it('never shows one user another user’s data: the profile is always the token’s sub', async () => {
    const alice = aUserId('alice');
    const bob = aUserId('bob');
    const response = await api
      .http()
      .get(`/gamification/profile?userId=${bob}`)
      .set({ ...bearer(tokenFor(alice)), 'X-User-Id': bob })
      .expect(200);
    expect(response.body.userId).toBe(alice);
  });

  describe('bad input never gets a 500', () => {
    const user = aUserId('bad-input');
    const asUser = () => bearer(tokenFor(user));
    const asService = () => bearer(TEST_SERVICE_KEY);
    const big = JSON.stringify({ ...aSessionCompleted(), padding: 'x'.repeat(20_000) });

    it.each([
      ['a claim id that is not a UUID', () => api.http().post('/gamification/claim-challenge/42').set(asUser()), 400, 'VALIDATION_FAILED'],
      ['a claim id with SQL in it', () => api.http().post(`/gamification/claim-challenge/${encodeURIComponent("1' OR '1'='1")}`).set(asUser()), 400, 'VALIDATION_FAILED'],
      ['a claim id with a broken percent-encoding', () => api.http().post('/gamification/claim-challenge/%E0%A4%A').set(asUser()), 400, 'BAD_REQUEST'],
      ['malformed JSON', () => api.http().post('/gamification/sync-progress').set(asService()).set('Content-Type', 'application/json').send('{"eventId": '), 400, 'MALFORMED_JSON'],
      ['an oversized body', () => api.http().post('/gamification/sync-progress').set(asService()).set('Content-Type', 'application/json').send(big), 413, 'PAYLOAD_TOO_LARGE'],
      ['a JSON array body', () => api.http().post('/gamification/sync-progress').set(asService()).send([1, 2]), 400, 'VALIDATION_FAILED'],
      ['a JSON string body (strict JSON takes objects and arrays only)', () => api.http().post('/gamification/sync-progress').set(asService()).set('Content-Type', 'application/json').send('"hello"'), 400, 'MALFORMED_JSON'],
      ['a session with wrong types', () => api.http().post('/gamification/sync-progress').set(asService()).send({ ...aSessionCompleted(), durationSeconds: '1800', score: 'high' }), 400, 'VALIDATION_FAILED'],
      ['a session missing its ids', () => api.http().post('/gamification/sync-progress').set(asService()).send({ completedAt: new Date().toISOString(), durationSeconds: 60 }), 400, 'VALIDATION_FAILED'],
      ['a session in an unknown zone', () => api.http().post('/gamification/sync-progress').set(asService()).send(aSessionCompleted({ timezone: 'Moon/Tranquility' })), 400, 'VALIDATION_FAILED'],
      ['a session in the far future', () => api.http().post('/gamification/sync-progress').set(asService()).send(aSessionCompleted({ completedAt: '2099-01-01T00:00:00Z' })), 400, 'VALIDATION_FAILED'],
      ['a service call without a body', () => api.http().post('/gamification/sync-progress').set(asService()), 400, 'VALIDATION_FAILED'],
      ['a text body', () => api.http().post('/gamification/sync-progress').set(asService()).set('Content-Type', 'text/plain').send('hello'), 400, 'VALIDATION_FAILED'],
      ['an unknown route', () => api.http().get('/gamification/leaderboard').set(asUser()), 404, 'NOT_FOUND'],
      ['a wrong method', () => api.http().delete('/gamification/profile').set(asUser()), 404, 'NOT_FOUND'],
      ['a GET on a write route', () => api.http().get('/gamification/sync-progress').set(asUser()), 404, 'NOT_FOUND'],
      ['a user token with a body', () => api.http().post('/gamification/sync-progress').set(asUser()).send(aSessionCompleted({ userId: user })), 403, 'FORBIDDEN'],
    ])('answers %s with the right 4xx', async (_label, send, status, code) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ statusCode: status, code, message: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toMatch(/\bat \w+ \(|SELECT|INSERT|node_modules|TypeORM|QueryFailed/);
    });

    it('names the offending fields of a bad session', async () => {
      const response = await api
        .http()
        .post('/gamification/sync-progress')
        .set(asService())
        .send({ ...aSessionCompleted(), durationSeconds: -1, userId: 'no spaces allowed' })
        .expect(400);
      expect(response.body.message).toContain('durationSeconds');
      expect(response.body.message).toContain('userId');
    });
  });

  it('limits writes per user and answers 429 with Retry-After', async () => {
    const limited = await ApiHarness.start({ RATE_LIMIT_WRITES_PER_MINUTE: '3' });
    try {
      const user = aUserId('hasty');
      const other = aUserId('patient');
      const sync = (userId: string) => limited.http().post('/gamification/sync-progress').set(bearer(tokenFor(userId)));
      for (let call = 0; call < 3; call += 1) {
        await sync(user).expect(200);
      }
      const refused = await sync(user).expect(429);
      expect(refused.body).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: expect.any(String) });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      await sync(other).expect(200);
      await limited.http().get('/gamification/profile').set(bearer(tokenFor(user))).expect(200);
    } finally {
      await limited.stop();
    }
  });

  describe('security headers', () => {
    /** The Content-Security-Policy header as a map from directive to its sources. */
    function policyOf(header: string | undefined): Record<string, string> {
      return Object.fromEntries((header ?? '').split(';').map((directive) => {
        const [name, ...sources] = directive.trim().split(/\s+/);
        return [name, sources.join(' ')];
      }));
    }

    it.each([
      ['the dashboard', '/', 200],
      ['an api route', '/gamification/profile', 401],
      ['an unknown route', '/no-such-route', 404],
    ])('sends helmet’s headers and a same-origin-only policy with %s', async (_label, path, status) => {
      const response = await api.http().get(path).expect(status);
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(policyOf(response.headers['content-security-policy'])).toEqual({
        'default-src': "'self'",
        'base-uri': "'self'",
        'form-action': "'self'",
        'frame-ancestors': "'none'",
        'img-src': "'self' data:",
        'object-src': "'none'",
        'script-src': "'self'",
        'script-src-attr': "'none'",
        'style-src': "'self'",
      });
    });

    it('lets the OpenAPI UI’s page have inline styles, and nothing more', async () => {
      const response = await api.http().get('/docs').expect(200);
      const policy = policyOf(response.headers['content-security-policy']);
      expect(policy['style-src']).toBe("'self' 'unsafe-inline'");
      expect(policy['script-src']).toBe("'self'");
      expect(policy['default-src']).toBe("'self'");
    });
  });

  describe('operations', () => {
    it('answers liveness and readiness', async () => {
      await api.http().get('/health').expect(200, { status: 'ok' });
      // The live streams are fed once the api's consumer joined, a moment after start.
      const ready = await eventually('the api to tail the topics for its streams', async () => {
        const response = await api.http().get('/health/ready').expect(200);
        return response.body.stream === 'up' ? response.body : undefined;
      });
      expect(ready).toEqual({ status: 'ready', database: 'up', redis: 'up', stream: 'up' });
    });

    it('counts requests by route pattern and status in Prometheus text', async () => {
      await api.http().get('/gamification/profile').set(bearer(tokenFor(aUserId()))).expect(200);
      await api.http().get('/gamification/profile').expect(401);
      const response = await api.http().get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toMatch(/http_requests_total\{method="GET",route="\/gamification\/profile",status="200"\} [1-9]/);
      expect(response.text).toMatch(/http_requests_total\{method="GET",route="\/gamification\/profile",status="401"\} [1-9]/);
      expect(response.text).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/gamification/profile"');
    });

    it('serves an OpenAPI document listing every route with its responses, and its UI', async () => {
      const { body: document } = await api.http().get('/docs-json').expect(200);
      const responses = (path: string, method: string) => Object.keys(document.paths[path][method].responses).sort();
      expect(responses('/gamification/profile', 'get')).toEqual(['200', '401', '403', '503']);
      expect(responses('/gamification/claim-challenge/{id}', 'post')).toEqual(['200', '400', '401', '403', '404', '409', '410', '429', '503']);
      expect(responses('/gamification/sync-progress', 'post')).toEqual(['200', '400', '401', '403', '429', '503']);
      expect(responses('/health', 'get')).toEqual(['200']);
      expect(responses('/health/ready', 'get')).toEqual(['200', '503']);
      expect(Object.keys(document.components.schemas)).toEqual(
        expect.arrayContaining(['ProfileResponse', 'ChallengeResponse', 'BadgeResponse', 'ClaimChallengeResponse', 'ErrorResponse', 'SessionCompletedRequest']),
      );
      const ui = await api.http().get('/docs').expect(200);
      expect(ui.headers['content-type']).toMatch(/text\/html/);
    });

    it('serves the document that the dashboard’s types are generated from, less the development-only routes', async () => {
      const { body: served } = await api.http().get('/docs-json').expect(200);
      const fromCode = await openApiDocumentFromCode();
      const { '/dev': _signIn, '/dev/token': _token, ...paths } = fromCode.paths;
      expect(served.paths).toEqual(paths);
      expect(fromCode.components?.schemas).toEqual({
        ...served.components.schemas,
        DevSignInResponse: expect.any(Object),
        DevTokenRequest: expect.any(Object),
        DevTokenResponse: expect.any(Object),
      });
    });
  });
});
