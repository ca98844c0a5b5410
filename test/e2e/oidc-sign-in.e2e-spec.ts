import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { SignJWT } from 'jose';
import { Kafka, logLevel } from 'kafkajs';
import { createTopicsWithLeaders } from '@app/messaging';
import { aSessionCompleted, eventually } from '@app/testing';
import { ApiProcess, bearer, tokenFor } from '../support/api-harness';
import { requiredEnv } from '../support/test-env';
import { EventStreamClient } from '../support/event-stream-client';
import { OidcProvider } from '../support/oidc-provider';

const AUDIENCE = 'https://gamification.example.test';
const CACHE_SECONDS = 2;
const COOLDOWN_SECONDS = 1;
const INVALID_TOKEN = 'Bearer error="invalid_token"';

/**
 * What the api reaches as JWT_JWKS_URL: the provider's own JWKS, through a pass-through that counts
 * the fetches and can play a provider that is down (refusing) or hangs (answering nothing).
 */
class JwksRoute {
  fetches = 0;
  mode: 'pass' | 'refuse' | 'hang' = 'pass';
  url = '';
  private readonly held = new Set<() => void>();
  private readonly server: Server;

  private constructor(private readonly target: () => string) {
    this.server = createServer((_request, response) => {
      this.fetches += 1;
      if (this.mode === 'refuse') {
        response.writeHead(503).end();
      } else if (this.mode === 'hang') {
        this.held.add(() => response.destroy());
      } else {
        fetch(this.target())
          .then(async (upstream) => response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text()))
          .catch(() => response.writeHead(502).end());
      }
    });
  }

  static async start(target: () => string): Promise<JwksRoute> {
    const route = new JwksRoute(target);
    await new Promise<void>((resolve) => route.server.listen(0, '127.0.0.1', resolve));
    route.url = `http://127.0.0.1:${(route.server.address() as AddressInfo).port}/jwks`;
    return route;
  }

  async stop(): Promise<void> {
    for (const release of this.held) {
      release();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Sign-in through a real OpenID provider (oidc-provider, in a process of its own): tokens got the way
 * a platform gets them, the client-credentials grant for a service and the authorization-code flow
 * with PKCE for a user, call the production api, which checks them against the provider's JWKS.
 */
describe('tokens from the platform’s identity provider', () => {
  let provider: OidcProvider;
  let route: JwksRoute;
  let api: ApiProcess;

  beforeAll(async () => {
    provider = await OidcProvider.start({ audience: AUDIENCE });
    route = await JwksRoute.start(() => provider.jwksUri);
    // The topics the api's live streams tail, as a worker would have created them.
    const suffix = String(Date.now());
    const topics = { TOPIC_BADGE_AWARDED: `badge.awarded.${suffix}`, TOPIC_LEVEL_UP: `level.up.${suffix}`, TOPIC_STREAK_AT_RISK: `streak.at_risk.${suffix}`, TOPIC_STREAK_FROZEN: `streak.frozen.${suffix}`, TOPIC_STREAK_LOST: `streak.lost.${suffix}` };
    const admin = new Kafka({ clientId: 'oidc-sign-in', brokers: requiredEnv('TEST_KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await createTopicsWithLeaders(admin, Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })));
    } finally {
      await admin.disconnect();
    }
    api = await ApiProcess.start({
      ...topics,
      // No JWT_SECRET: every token must come from the provider.
      JWT_SECRET: '',
      JWT_JWKS_URL: route.url,
      JWT_ISSUER: provider.issuer,
      JWT_AUDIENCE: AUDIENCE,
      JWT_JWKS_CACHE_SECONDS: String(CACHE_SECONDS),
      JWT_JWKS_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS),
    });
  });

  afterAll(async () => {
    await api?.stop();
    await route?.stop();
    await provider?.stop();
  });

  async function profileOf(token: string) {
    const response = await api.fetch('/gamification/profile', { headers: bearer(token) });
    return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as Record<string, unknown> };
  }

  it('serves a user’s token from the authorization-code flow: profile, claim and the live stream', async () => {
    const userId = `oidc-user-${Date.now()}`;
    const userToken = await provider.userToken(userId);
    expect(await profileOf(userToken)).toMatchObject({ status: 200, body: { userId, level: 1, totalXp: 0 } });

    // A service's token from the client-credentials grant, with the sync scope, applies sessions.
    const serviceToken = await provider.clientCredentialsToken('gamification:sync');
    for (let session = 0; session < 2; session += 1) {
      const synced = await api.fetch('/gamification/sync-progress', {
        method: 'POST',
        headers: { ...bearer(serviceToken), 'content-type': 'application/json' },
        body: JSON.stringify(aSessionCompleted({ userId })),
      });
      expect(synced.status).toBe(200);
    }
    const { body: profile } = await profileOf(userToken);
    const done = (profile.challenges as Array<{ id: string; isCompleted: boolean; xpReward: number }>).find((challenge) => challenge.isCompleted);
    expect(done).toBeDefined();
    const claim = await api.fetch(`/gamification/claim-challenge/${done!.id}`, { method: 'POST', headers: bearer(userToken) });
    expect([claim.status, ((await claim.json()) as { xpAwarded: number }).xpAwarded]).toEqual([200, done!.xpReward]);

    await eventually('the api to tail the topics for its live streams', async () => (((await (await api.fetch('/health/ready')).json()) as { stream?: string }).stream === 'up' ? true : undefined));
    const stream = await EventStreamClient.open(api.base, userToken);
    expect(stream).toBeInstanceOf(EventStreamClient);
    await (stream as EventStreamClient).close();
  });

  it('gives the sync scope only to a service token that carries it: 403 otherwise', async () => {
    const session = JSON.stringify(aSessionCompleted());
    for (const token of [await provider.clientCredentialsToken(''), await provider.userToken(`oidc-user-${Date.now()}`)]) {
      const response = await api.fetch('/gamification/sync-progress', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: session });
      expect(response.status).toBe(403);
    }
  });

  it('refuses with 401 and invalid_token every token it must not trust, saying why', async () => {
    const userId = 'oidc-forger';
    const claims = { sub: userId, iss: provider.issuer, aud: AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 600 };
    const providerKid = ((await provider.publicJwks()).keys[0] as { kid: string }).kid;
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const cases: Array<[string, string, RegExp]> = [
      ['signed by a key not in the JWKS, under a kid that is', await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: providerKid }).sign(foreign), /signature does not verify/],
      ['with a kid the provider does not publish', await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'forged-kid' }).sign(foreign), /key \(kid\) is not one of/],
      ['from another issuer', await provider.signWithProviderKey({ ...claims, iss: 'https://evil.example.test' }), /issuer/],
      ['for another audience', await provider.signWithProviderKey({ ...claims, aud: 'https://another-api.example.test' }), /not meant for this api/],
      ['expired two minutes ago', await provider.signWithProviderKey({ ...claims, exp: nowSeconds() - 120 }), /expired/],
      ['not valid for two more minutes', await provider.signWithProviderKey({ ...claims, nbf: nowSeconds() + 120 }), /not valid yet/],
      [
        'switched to HS256 with the provider’s public key as the secret',
        jwt.sign(claims, JSON.stringify((await provider.publicJwks()).keys[0]), { algorithm: 'HS256', noTimestamp: true }),
        /signed with HS256; this api accepts only tokens its identity provider signs/,
      ],
      ['with alg none', `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`, /algorithm is not accepted/],
    ];
    for (const [label, token, why] of cases) {
      const refused = await profileOf(token);
      expect({ label, ...refused }).toEqual({ label, status: 401, challenge: INVALID_TOKEN, body: { statusCode: 401, code: 'UNAUTHORIZED', message: expect.stringMatching(why) } });
    }
    // The clock tolerance: a token expired 10 s ago is still accepted.
    expect((await profileOf(await provider.signWithProviderKey({ ...claims, exp: nowSeconds() - 10 }))).status).toBe(200);
  });

  it('fetches the JWKS again for unknown kids at most once per cooldown, however many arrive', async () => {
    const forged = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const before = route.fetches;
    const started = Date.now();
    // One after another, so that each could fetch if the cooldown let it (requests at once would share one fetch anyway).
    const statuses: number[] = [];
    for (let index = 0; index < 50; index += 1) {
      const token = await new SignJWT({ sub: 'flood', iss: provider.issuer, aud: AUDIENCE, exp: nowSeconds() + 60 }).setProtectedHeader({ alg: 'RS256', kid: `forged-${index}` }).sign(forged);
      statuses.push((await profileOf(token)).status);
    }
    const seconds = (Date.now() - started) / 1000;
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(route.fetches - before).toBeLessThanOrEqual(Math.ceil(seconds / COOLDOWN_SECONDS) + 1);
  });

  it('follows a key rotation without a restart, in RS256, ES256 and EdDSA: a removed key stops working after the cache time', async () => {
    for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
      const before = await provider.userToken('oidc-rotation');
      expect((await profileOf(before)).status).toBe(200);
      await provider.rotateKeys(alg);
      const after = await provider.userToken('oidc-rotation');
      expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString())).toMatchObject({ alg });
      // Once the cooldown since the last fetch has passed, the new kid makes the api fetch the JWKS again.
      await sleep(COOLDOWN_SECONDS * 1000 + 100);
      expect(await profileOf(after)).toMatchObject({ status: 200, body: { userId: 'oidc-rotation' } });
      // The old key is no longer in the JWKS just fetched.
      expect(await profileOf(before)).toMatchObject({ status: 401, body: { message: expect.stringMatching(/key \(kid\) is not one of/) } });
    }
    // With no new kid to make it fetch sooner, a removed key still stops working once the cache time has passed.
    const held = await provider.userToken('oidc-rotation');
    expect((await profileOf(held)).status).toBe(200);
    await provider.rotateKeys('RS256');
    await sleep(CACHE_SECONDS * 1000 + 100);
    // The first request after the cache time starts a fetch beside it; once that fetch is back, the key is refused.
    await eventually('the removed key to be refused', async () => ((await profileOf(held)).status === 401 ? true : undefined));
    expect(await profileOf(held)).toMatchObject({ status: 401, body: { message: expect.stringMatching(/key \(kid\) is not one of/) } });
    expect((await profileOf(await provider.userToken('oidc-rotation'))).status).toBe(200);
  });

  it('keeps verifying with the keys it holds while the provider is down, and says so in readiness', async () => {
    const token = await provider.userToken('oidc-provider-down');
    expect((await profileOf(token)).status).toBe(200);
    route.mode = 'refuse';
    try {
      await sleep(CACHE_SECONDS * 1000 + 100);
      // The cache is stale: the api verifies with the keys it holds and tries the provider beside the request, which fails.
      expect((await profileOf(token)).status).toBe(200);
      await eventually('readiness to report the provider down', async () => {
        const ready = await api.fetch('/health/ready');
        const body = (await ready.json()) as { identityProvider?: string };
        return ready.status === 200 && body.identityProvider === 'down' ? true : undefined;
      });
      expect((await profileOf(token)).status).toBe(200);
    } finally {
      route.mode = 'pass';
    }
    // Readiness tries the provider again by itself, once the cooldown has passed.
    await eventually('readiness to see the provider up again', async () => {
      const ready = (await (await api.fetch('/health/ready')).json()) as { identityProvider?: string };
      return ready.identityProvider === 'up' ? true : undefined;
    });
  });

  it('finds the keys through OIDC discovery from the issuer alone, reads the user from JWT_USER_ID_CLAIM and scopes from scp, and takes HS256 tokens with JWT_SECRET beside them', async () => {
    const USER_ID_CLAIM = 'https://platform.example.test/user_id';
    // Both configured: the api process keeps the harness's JWT_SECRET.
    const discovering = await ApiProcess.start({ JWT_OIDC_DISCOVERY: 'true', JWT_ISSUER: provider.issuer, JWT_AUDIENCE: AUDIENCE, JWT_USER_ID_CLAIM: USER_ID_CLAIM });
    try {
      const call = async (token: string, path = '/gamification/profile', body?: unknown) => {
        const response = await discovering.fetch(path, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { ...bearer(token), 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return [response.status, ((await response.json()) as { userId?: string }).userId];
      };
      const claims = { iss: provider.issuer, aud: AUDIENCE, exp: nowSeconds() + 600 };
      // As Auth0 issues them: a sub that is no userId of the contract, the platform's id in a namespaced claim.
      const platformUser = await provider.signWithProviderKey({ ...claims, sub: 'auth0|5f7c8ec7c33c6c004bbafe82', [USER_ID_CLAIM]: 'platform-user-7' });
      expect(await call(platformUser)).toEqual([200, 'platform-user-7']);
      // The provider's own user tokens carry no such claim.
      expect(await call(await provider.userToken('oidc-discovered'))).toEqual([401, undefined]);
      // Entra ID names the scopes scp; a service's token names no user, and applies a session for one.
      const entraService = await provider.signWithProviderKey({ ...claims, sub: 'sync-service', scp: 'gamification:sync' });
      expect(await call(entraService, '/gamification/sync-progress', aSessionCompleted({ userId: 'platform-user-7' }))).toEqual([200, 'platform-user-7']);
      expect(await call(await provider.clientCredentialsToken(), '/gamification/sync-progress', aSessionCompleted({ userId: 'platform-user-8' }))).toEqual([200, 'platform-user-8']);
      expect(await call(tokenFor('hs256-user', { [USER_ID_CLAIM]: 'hs256-user' }, { issuer: provider.issuer, audience: AUDIENCE }))).toEqual([200, 'hs256-user']);
      // An HS256 token is checked with JWT_SECRET only, never with a key of the provider's.
      const forged = jwt.sign({ ...claims, sub: 'oidc-forger', [USER_ID_CLAIM]: 'oidc-forger' }, JSON.stringify((await provider.publicJwks()).keys[0]), { algorithm: 'HS256' });
      expect(await call(forged)).toEqual([401, undefined]);
    } finally {
      await discovering.stop();
    }
  });

  it('answers 503 with Retry-After, and is not ready, while a JWKS that times out has given it no key', async () => {
    const hanging = await JwksRoute.start(() => provider.jwksUri);
    hanging.mode = 'hang';
    const waiting = await ApiProcess.start({
      JWT_SECRET: '',
      JWT_JWKS_URL: hanging.url,
      JWT_ISSUER: provider.issuer,
      JWT_AUDIENCE: AUDIENCE,
      JWT_JWKS_TIMEOUT_MS: '300',
      JWT_JWKS_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS),
    });
    try {
      const token = await provider.userToken('oidc-waiting');
      const refused = await waiting.fetch('/gamification/profile', { headers: bearer(token) });
      expect([refused.status, Number(refused.headers.get('retry-after')) >= 1, await refused.json()]).toEqual([
        503,
        true,
        { statusCode: 503, code: 'IDENTITY_PROVIDER_UNAVAILABLE', message: expect.any(String) },
      ]);
      const notReady = await waiting.fetch('/health/ready');
      expect([notReady.status, await notReady.json()]).toEqual([503, expect.objectContaining({ code: 'NOT_READY', message: expect.stringMatching(/identity provider down with no signing keys held/) })]);
      hanging.mode = 'pass';
      await eventually('the api to fetch the keys once the JWKS answers', async () => ((await waiting.fetch('/health/ready')).status === 200 ? true : undefined));
      expect((await waiting.fetch('/gamification/profile', { headers: bearer(token) })).status).toBe(200);
    } finally {
      await waiting.stop();
      await hanging.stop();
    }
  });
});
