import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { AppConfig, IdentityProviderSettings } from '@app/config';
import { IdentityProviderKeys, IdentityProviderUnavailable } from './identity-provider-keys';

type Mode = 'keys' | 'error' | 'not-a-key-set' | 'stall';
const CACHE_MS = 200;
// Long enough that a slow machine stays inside it between two steps of a test; the tests never wait on it to end but once.
const COOLDOWN_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds: the keys are fetched in the background, and the test waits for that fetch to have happened. */
async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(10);
  }
}

/** A provider on a loopback port: its discovery document and its JWKS, which can fail in each way a real one does. */
class Provider {
  mode: Mode = 'keys';
  fetches = 0;
  discoveredIssuer: string | null = null;
  private readonly stalled: ServerResponse[] = [];
  private readonly server: Server;
  base = '';

  constructor(private readonly jwk: JWK) {
    this.server = createServer((request, response) => {
      if (request.url === '/.well-known/openid-configuration') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: this.discoveredIssuer ?? this.base, jwks_uri: `${this.base}/jwks` }));
        return;
      }
      this.fetches += 1;
      if (this.mode === 'error') {
        response.writeHead(503).end();
      } else if (this.mode === 'not-a-key-set') {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      } else if (this.mode === 'stall') {
        // Headers now, the body never: the fetch itself answers, reading the body times out.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"keys": [');
        this.stalled.push(response);
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [this.jwk] }));
      }
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const response of this.stalled) {
      response.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('IdentityProviderKeys', () => {
  let signingKey: CryptoKey;
  let provider: Provider;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    provider = new Provider({ ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' });
    await provider.start();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterAll(async () => {
    await provider.stop();
    jest.restoreAllMocks();
  });

  beforeEach(() => {
    provider.mode = 'keys';
    provider.discoveredIssuer = null;
    provider.fetches = 0;
  });

  function keysOf(settings: Partial<IdentityProviderSettings> = {}): IdentityProviderKeys {
    const identityProvider: IdentityProviderSettings = { jwksUrl: `${provider.base}/jwks`, discoveryIssuer: null, cacheMaxAgeMs: CACHE_MS, cooldownMs: COOLDOWN_MS, timeoutMs: 2_000, ...settings };
    return new IdentityProviderKeys({ auth: { identityProvider } } as unknown as AppConfig);
  }

  const token = (kid = 'key-1') => new SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg: 'ES256', kid }).setExpirationTime('5m').sign(signingKey);
  const verify = async (keys: IdentityProviderKeys, kid?: string) => (await jwtVerify(await token(kid), keys.getKey)).payload.sub;

  it('fetches the keys once and verifies every token from them while they are fresh', async () => {
    const keys = keysOf({ cacheMaxAgeMs: 60_000 });
    expect([await verify(keys), await verify(keys), await verify(keys)]).toEqual(['user-1', 'user-1', 'user-1']);
    expect(provider.fetches).toBe(1);
    expect(keys.state()).toEqual({ provider: 'up', keysHeld: true });
  });

  it.each<Mode>(['error', 'not-a-key-set', 'stall'])(
    'keeps verifying with the keys held when a fetch fails (%s), fetching in the background, and tries the provider again only after the cooldown',
    async (failure) => {
      const keys = keysOf({ timeoutMs: 300 });
      await verify(keys);
      provider.mode = failure;
      await sleep(CACHE_MS + 50);
      // Stale keys still verify, at once: the fetch happens beside the request, not before it.
      expect(await verify(keys)).toBe('user-1');
      await until('the background fetch to fail', () => keys.state().provider === 'down');
      expect(provider.fetches).toBe(2);
      expect(await verify(keys)).toBe('user-1');
      expect(keys.state()).toEqual({ provider: 'down', keysHeld: true });
      expect(provider.fetches).toBe(2);
      provider.mode = 'keys';
      await sleep(COOLDOWN_MS + 50);
      // Readiness tries the provider again by itself.
      keys.state();
      await until('the provider to be found up again', () => keys.state().provider === 'up');
      expect(provider.fetches).toBe(3);
    },
  );

  it.each<Mode>(['error', 'stall'])('refuses to guess with no key held (%s): IdentityProviderUnavailable, with when to try again', async (failure) => {
    provider.mode = failure;
    const keys = keysOf({ timeoutMs: 300 });
    const refused = await verify(keys).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(IdentityProviderUnavailable);
    expect((refused as IdentityProviderUnavailable).message).toMatch(failure === 'stall' ? /no answer in time/ : /200 OK/);
    expect((refused as IdentityProviderUnavailable).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as IdentityProviderUnavailable).retryAfterSeconds).toBeLessThanOrEqual(COOLDOWN_MS / 1000);
    expect(keys.state()).toEqual({ provider: 'down', keysHeld: false });
  });

  it('fetches again for unknown kids at most once per cooldown', async () => {
    const keys = keysOf({ cacheMaxAgeMs: 60_000 });
    await verify(keys);
    await sleep(COOLDOWN_MS + 50);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await expect(verify(keys, `forged-${attempt}`)).rejects.toThrow(/no applicable key found/);
    }
    expect(provider.fetches).toBe(2);
  });

  it('reads the JWKS address from the issuer’s discovery document, whose issuer must be the one configured', async () => {
    expect(await verify(keysOf({ jwksUrl: null, discoveryIssuer: provider.base }))).toBe('user-1');
    provider.discoveredIssuer = 'https://someone-else.example.test';
    const misled = keysOf({ jwksUrl: null, discoveryIssuer: provider.base });
    await expect(verify(misled)).rejects.toThrow(/names the issuer "https:\/\/someone-else.example.test", not JWT_ISSUER/);
  });
});
