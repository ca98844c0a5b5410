import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwksCache, type JSONWebKeySet, type JWKSCacheInput, type JWTVerifyGetKey, type RemoteJWKSet } from 'jose';
import { AppConfig, type IdentityProviderSettings } from '@app/config';

/** No signing key of the identity provider is at hand: none was ever fetched, and the provider does not answer now. */
export class IdentityProviderUnavailable extends Error {
  override readonly name = 'IdentityProviderUnavailable';

  constructor(
    message: string,
    /** When a new try at the provider may be made. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export interface IdentityProviderState {
  /** `up`: the last fetch of the keys succeeded; `down`: it failed (and the keys held, if any, are the last fetched). */
  readonly provider: 'up' | 'down';
  /** Whether keys are held to verify tokens with. */
  readonly keysHeld: boolean;
}

/**
 * The identity provider's signing keys (its JWKS), for `jwtVerify`. jose's remote JWKS fetches them
 * and says when they are older than JWT_JWKS_CACHE_SECONDS (`fresh`) and when the last fetch is less
 * than a cooldown ago (`coolingDown`); jose's local JWKS picks a token's key from them. Around those,
 * what jose does not do:
 * - a fetch that fails in any way (no answer, an error status, a body that is no key set, a timeout)
 *   leaves the keys fetched last in use, so that a provider restarting does not sign everyone out;
 * - keys gone stale are fetched again in the background while the held ones keep verifying, and after
 *   a failure the provider is not tried again for a cooldown: no request waits on a provider that is
 *   slow or down while keys are held;
 * - a token whose `kid` is unknown makes it fetch again only when the cooldown since the last fetch
 *   has passed, so that a flood of forged `kid`s cannot hammer the provider;
 * - with no key ever fetched, a token cannot be checked: IdentityProviderUnavailable, a 503.
 * With JWT_OIDC_DISCOVERY the JWKS address is read first from the issuer's discovery document.
 */
@Injectable()
export class IdentityProviderKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger(IdentityProviderKeys.name);
  private readonly settings: IdentityProviderSettings | null;
  private remote: Promise<RemoteJWKSet> | null = null;
  /** jose writes each JWKS it fetches here (with when): the keys fetched last, whatever has happened since. */
  private readonly fetched: JWKSCacheInput = {};
  private local: { readonly jwks: JSONWebKeySet; readonly getKey: JWTVerifyGetKey } | null = null;
  private failedAt: number | null = null;
  private refreshing: Promise<void> | null = null;
  private lastProblem: string | null = null;

  constructor(config: AppConfig) {
    this.settings = config.auth.identityProvider;
  }

  get enabled(): boolean {
    return this.settings !== null;
  }

  /** Fetches the keys at start, in the background: the api serves its public routes while the provider is away. */
  onApplicationBootstrap(): void {
    if (this.settings !== null) {
      void this.fetchKeys();
    }
  }

  /**
   * The key that signed a token, from the keys held. Keys gone stale are fetched again in the
   * background, so that no request waits on a provider that is slow or down; a token waits for a
   * fetch only when no key is held at all, or when its `kid` is new and the cooldown allows a fetch.
   */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (this.heldKeys() === null) {
      if (!this.backingOff()) {
        await this.fetchKeys();
      }
    } else if (!(await this.remoteSet()).fresh) {
      this.refreshInBackground();
    }
    try {
      return await this.fromHeldKeys(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && !this.backingOff() && !(await this.remoteSet()).coolingDown) {
        await this.fetchKeys();
        return this.fromHeldKeys(header, token);
      }
      throw error;
    }
  };

  /**
   * Where the keys stand, for readiness, at once. A provider found down (or never reached) is tried
   * again in the background once its cooldown has passed, so that readiness follows it by itself.
   */
  state(): IdentityProviderState {
    if (this.failedAt !== null || this.heldKeys() === null) {
      this.refreshInBackground();
    }
    return { provider: this.failedAt === null ? 'up' : 'down', keysHeld: this.heldKeys() !== null };
  }

  /** One fetch at a time, and none while backing off after a failure. */
  private refreshInBackground(): void {
    if (this.refreshing === null && !this.backingOff()) {
      this.refreshing = this.fetchKeys().finally(() => (this.refreshing = null));
    }
  }

  /** One fetch of the keys (and of the discovery document, until it has been read); a failure is noted, never thrown. */
  private async fetchKeys(): Promise<void> {
    try {
      await (await this.remoteSet()).reload();
      this.succeeded();
    } catch (error) {
      this.failed(error as Error);
    }
  }

  /** jose's remote JWKS, made once; with discovery, once the discovery document has been read (a failure is tried again). */
  private remoteSet(): Promise<RemoteJWKSet> {
    this.remote ??= this.jwksUrl().then(
      (url) => {
        const settings = this.requireSettings();
        return createRemoteJWKSet(url, {
          cacheMaxAge: settings.cacheMaxAgeMs,
          cooldownDuration: settings.cooldownMs,
          timeoutDuration: settings.timeoutMs,
          [jwksCache]: this.fetched,
        });
      },
      (error: Error) => {
        this.remote = null;
        throw error;
      },
    );
    return this.remote;
  }

  /** JWT_JWKS_URL, or the `jwks_uri` of the issuer's discovery document (OpenID Connect Discovery 1.0, section 4). */
  private async jwksUrl(): Promise<URL> {
    const settings = this.requireSettings();
    if (settings.jwksUrl !== null) {
      return new URL(settings.jwksUrl);
    }
    const issuer = settings.discoveryIssuer ?? '';
    const address = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let response: Response;
    try {
      response = await fetch(address, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(settings.timeoutMs) });
    } catch (error) {
      throw new Error(`${address}: ${describeFetchFailure(error)}`, { cause: error });
    }
    if (response.status !== 200) {
      throw new Error(`${address}: HTTP ${response.status}`);
    }
    const document = (await response.json().catch(() => null)) as { issuer?: unknown; jwks_uri?: unknown } | null;
    if (document?.issuer !== issuer) {
      throw new Error(`the discovery document at ${address} names the issuer ${JSON.stringify(document?.issuer)}, not JWT_ISSUER ${JSON.stringify(issuer)}`);
    }
    if (typeof document.jwks_uri !== 'string' || !URL.canParse(document.jwks_uri)) {
      throw new Error(`the discovery document at ${address} has no jwks_uri URL`);
    }
    this.logger.log(`discovered the identity provider's keys at ${document.jwks_uri}`);
    return new URL(document.jwks_uri);
  }

  private failed(error: Error): void {
    const first = this.failedAt === null;
    this.failedAt = Date.now();
    this.lastProblem = error instanceof errors.JOSEError || error instanceof TypeError ? describeFetchFailure(error) : error.message;
    if (first) {
      const held = this.heldKeys();
      this.logger.warn(
        `the identity provider's keys could not be fetched (${this.lastProblem}): ${held === null ? 'no signing keys are held yet, so tokens are refused with 503 until they are' : `tokens are verified with the ${held.keys.length} key(s) fetched last`}; trying again in ${this.requireSettings().cooldownMs / 1000} s at the earliest`,
      );
    }
  }

  private succeeded(): void {
    if (this.failedAt !== null) {
      this.logger.log("the identity provider's keys were fetched again: its current keys are in use");
    }
    this.failedAt = null;
    this.lastProblem = null;
  }

  private backingOff(): boolean {
    return this.failedAt !== null && Date.now() - this.failedAt < this.requireSettings().cooldownMs;
  }

  private retryAfterSeconds(): number {
    const elapsed = this.failedAt === null ? 0 : Date.now() - this.failedAt;
    return Math.max(1, Math.ceil((this.requireSettings().cooldownMs - elapsed) / 1000));
  }

  private heldKeys(): JSONWebKeySet | null {
    return 'jwks' in this.fetched ? this.fetched.jwks : null;
  }

  private fromHeldKeys(...[header, token]: Parameters<JWTVerifyGetKey>): ReturnType<JWTVerifyGetKey> {
    const jwks = this.heldKeys();
    if (jwks === null) {
      throw new IdentityProviderUnavailable(`the identity provider's signing keys are not available (${this.lastProblem ?? 'not fetched yet'})`, this.retryAfterSeconds());
    }
    if (this.local?.jwks !== jwks) {
      this.local = { jwks, getKey: createLocalJWKSet(jwks) };
    }
    return this.local.getKey(header, token);
  }

  private requireSettings(): IdentityProviderSettings {
    if (this.settings === null) {
      throw new Error('no identity provider is configured (JWT_JWKS_URL or JWT_OIDC_DISCOVERY)');
    }
    return this.settings;
  }
}

/** What went wrong with a fetch, in a few words: fetch's own error hides the cause (connection refused, a name not found). */
function describeFetchFailure(error: unknown): string {
  if (error instanceof errors.JWKSTimeout || (error as Error).name === 'TimeoutError') {
    return 'no answer in time';
  }
  const cause = (error as Error & { cause?: Error }).cause;
  return cause?.message ?? (error as Error).message;
}
