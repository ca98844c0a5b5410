import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';

export type TokenAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface OidcProviderOptions {
  /** The resource indicator of the api: an absolute URI, the `aud` of every access token. */
  audience: string;
  /** Signs the access and id tokens; RS256 unless given. */
  alg?: TokenAlg;
  /** A loopback port; any free one unless given. */
  port?: number;
}

const TOKEN_ALGS: readonly TokenAlg[] = ['RS256', 'ES256', 'EdDSA'];
// A plain ES module run by node itself: oidc-provider ships ES modules only, which Jest's CommonJS would not load.
const SERVER_SCRIPT = join(__dirname, 'oidc-provider', 'provider-server.mjs');
const SERVICE_SCOPE = 'gamification:sync';
const USER_SCOPE = 'openid profile';
const WEB_CLIENT_ID = 'gamification-web';
// Never requested: the harness reads the code off the redirect, as the browser app's callback page would.
const WEB_REDIRECT_URI = 'http://127.0.0.1:5173/callback';
const STARTUP_TIMEOUT_MS = 20_000;
const STDERR_LINES_KEPT = 30;

type SigningKeys = Record<TokenAlg, JWK>;

interface Endpoints {
  issuer: string;
  jwksUri: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/**
 * A real OpenID Connect provider (oidc-provider) in a child process on loopback, issuing JWT access
 * tokens for one api audience the way a platform gets them: client credentials for a service, the
 * authorization code flow with PKCE and a login page for a user.
 */
export class OidcProvider {
  readonly serviceClientId = 'gamification-sync';
  private readonly serviceClientSecret = randomBytes(24).toString('hex');
  private child: ChildProcess | undefined;
  // Set by launch(), which start() awaits before handing the provider out; kept while stopped, the port stays the same.
  private endpoints!: Endpoints;
  private stderrLines: string[] = [];

  private constructor(
    readonly audience: string,
    private alg: TokenAlg,
    private port: number,
    private keys: SigningKeys,
  ) {}

  static async start({ audience, alg = 'RS256', port = 0 }: OidcProviderOptions): Promise<OidcProvider> {
    if (!URL.canParse(audience)) {
      throw new Error(`the audience must be an absolute URI, the provider takes it as a resource indicator: ${audience}`);
    }
    const provider = new OidcProvider(audience, alg, port, await generateSigningKeys());
    await provider.launch();
    return provider;
  }

  /** Exactly the `iss` of the tokens. */
  get issuer(): string {
    return this.endpoints.issuer;
  }

  get jwksUri(): string {
    return this.endpoints.jwksUri;
  }

  async clientCredentialsToken(scope = SERVICE_SCOPE): Promise<string> {
    const credentials = Buffer.from(`${encodeURIComponent(this.serviceClientId)}:${encodeURIComponent(this.serviceClientSecret)}`).toString('base64');
    const { body } = await this.send('the client credentials token request', this.endpoints.tokenEndpoint, 'ok', {
      method: 'POST',
      headers: { Authorization: `Basic ${credentials}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    return accessTokenOf('the client credentials token response', body);
  }

  /** Signs `accountId` in through the provider's login page, as the browser app sends its user there. */
  async userToken(accountId: string): Promise<string> {
    const jar = new CookieJar();
    const codeVerifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const authorization = new URL(this.endpoints.authorizationEndpoint);
    authorization.search = new URLSearchParams({
      client_id: WEB_CLIENT_ID,
      response_type: 'code',
      redirect_uri: WEB_REDIRECT_URI,
      scope: USER_SCOPE,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
    }).toString();

    const loginPage = await this.send('the authorization request', authorization, 'redirect', {}, jar);
    const { body: loginForm } = await this.send('the login page', loginPage.location, 'ok', {}, jar);
    const action = /<form[^>]*\saction="([^"]+)"/.exec(loginForm)?.[1];
    if (action === undefined) {
      throw new Error(`the login page has no form:\n${loginForm}`);
    }
    // The provider's development login takes any login and password: the login is the account id.
    const login = await this.send('the login', new URL(action, loginPage.location), 'redirect', { method: 'POST', body: new URLSearchParams({ prompt: 'login', login: accountId, password: 'any' }) }, jar);
    const callback = await this.send('the authorization resumed after the login', login.location, 'redirect', {}, jar);
    const code = callback.location.searchParams.get('code');
    if (!callback.location.href.startsWith(WEB_REDIRECT_URI) || code === null || callback.location.searchParams.get('state') !== state) {
      throw new Error(`the authorization did not end with a code and the state at ${WEB_REDIRECT_URI}: it went to ${callback.location.href}`);
    }

    const { body } = await this.send('the authorization code token request', this.endpoints.tokenEndpoint, 'ok', {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT_URI, code_verifier: codeVerifier, client_id: WEB_CLIENT_ID }),
    });
    return accessTokenOf('the authorization code token response', body);
  }

  /** Signs arbitrary claims with one of the provider's own private keys (the one for `alg`, its kid in the header): for expired / not-yet-valid / wrong iss / wrong aud tokens. */
  async signWithProviderKey(claims: Record<string, unknown>, alg: TokenAlg = this.alg): Promise<string> {
    const jwk = this.keys[alg];
    // The provider's own access token header, so that only the claims tell such a token apart.
    return new SignJWT(claims as JWTPayload).setProtectedHeader({ alg, kid: jwk.kid, typ: 'at+jwt' }).sign(await importJWK(jwk, alg));
  }

  /** The provider's public JWKS as served (for a test that signs HS256 with a public key as the secret). */
  async publicJwks(): Promise<{ keys: Array<Record<string, unknown>> }> {
    const { body } = await this.send('the JWKS request', this.endpoints.jwksUri, 'ok');
    return JSON.parse(body) as { keys: Array<Record<string, unknown>> };
  }

  /** Restarts the provider on the same port with freshly generated keys (new kids): the old keys disappear from its JWKS. Optionally a new alg. */
  async rotateKeys(alg: TokenAlg = this.alg): Promise<void> {
    const keys = await generateSigningKeys();
    await this.stop();
    this.alg = alg;
    this.keys = keys;
    await this.launch();
  }

  /** Stops the child (SIGTERM, waits for exit); the port then refuses connections. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    // 'close' rather than 'exit': its pipes are closed too, nothing of the child is left open.
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    await closed;
  }

  /** Starts it again on the same port with the same keys as before the stop. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  private async launch(): Promise<void> {
    this.stderrLines = [];
    const child = spawn(process.execPath, [SERVER_SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        OIDC_PORT: String(this.port),
        OIDC_AUDIENCE: this.audience,
        OIDC_ACCESS_TOKEN_ALG: this.alg,
        OIDC_JWKS: JSON.stringify({ keys: Object.values(this.keys) }),
        OIDC_CLIENTS: JSON.stringify([
          {
            client_id: this.serviceClientId,
            client_secret: this.serviceClientSecret,
            token_endpoint_auth_method: 'client_secret_basic',
            grant_types: ['client_credentials'],
            response_types: [],
            redirect_uris: [],
            scope: SERVICE_SCOPE,
          },
          {
            client_id: WEB_CLIENT_ID,
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code'],
            response_types: ['code'],
            redirect_uris: [WEB_REDIRECT_URI],
            scope: USER_SCOPE,
          },
        ]),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrLines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
      this.stderrLines.splice(0, this.stderrLines.length - STDERR_LINES_KEPT);
    });
    this.endpoints = await this.readyLine(child);
    // A later start must bind the port the issuer names.
    this.port = Number(new URL(this.endpoints.issuer).port);
  }

  private readyLine(child: ChildProcess): Promise<Endpoints> {
    return new Promise((resolve, reject) => {
      let stdout = '';
      const settle = () => {
        clearTimeout(deadline);
        child.stdout!.off('data', onData);
        child.off('close', onClose);
        child.off('error', onError);
      };
      const fail = (reason: string) => {
        settle();
        reject(new Error(`the OIDC provider did not start: ${reason}${this.stderrTail()}`));
      };
      const onData = (chunk: Buffer) => {
        stdout += chunk.toString();
        const end = stdout.indexOf('\n');
        if (end === -1) {
          return;
        }
        const line = stdout.slice(0, end);
        try {
          const endpoints = JSON.parse(line) as Endpoints;
          settle();
          resolve(endpoints);
        } catch {
          child.kill('SIGKILL');
          fail(`its first line is not the ready line: ${line}`);
        }
      };
      const onClose = (code: number | null, signal: NodeJS.Signals | null) => fail(`it exited with ${signal ?? code}`);
      const onError = (error: Error) => fail(error.message);
      const deadline = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`no ready line within ${STARTUP_TIMEOUT_MS} ms`);
      }, STARTUP_TIMEOUT_MS);
      child.stdout!.on('data', onData);
      child.once('close', onClose);
      child.once('error', onError);
    });
  }

  /** Sends one request of a flow; any other outcome than `expected` fails naming the step, the status and the body. */
  private async send(step: string, url: string | URL, expected: 'ok', init?: RequestInit, jar?: CookieJar): Promise<{ body: string }>;
  private async send(step: string, url: string | URL, expected: 'redirect', init?: RequestInit, jar?: CookieJar): Promise<{ body: string; location: URL }>;
  private async send(step: string, url: string | URL, expected: 'ok' | 'redirect', init: RequestInit = {}, jar?: CookieJar): Promise<{ body: string; location?: URL }> {
    const headers = new Headers(init.headers);
    if (jar !== undefined) {
      headers.set('Cookie', jar.header());
    }
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers, redirect: 'manual' });
    } catch (error) {
      throw new Error(`${step} to ${url} failed: ${reasonOf(error)}${this.stderrTail()}`, { cause: error });
    }
    jar?.store(response);
    const body = await response.text();
    const location = response.headers.get('location');
    if (expected === 'redirect' && response.status >= 300 && response.status < 400 && location !== null) {
      return { body, location: new URL(location, url) };
    }
    if (expected === 'ok' && response.status === 200) {
      return { body };
    }
    // A server error's cause is in the provider's stderr, a refusal's in the body.
    throw new Error(`${step} to ${url} failed: HTTP ${response.status}${location === null ? '' : ` to ${location}`} ${body}${response.status >= 500 ? this.stderrTail() : ''}`);
  }

  private stderrTail(): string {
    return this.stderrLines.length === 0 ? '' : `\nthe provider's stderr ends with:\n${this.stderrLines.join('\n')}`;
  }
}

/** A browser's cookies for the provider's one origin; paths are ignored, the provider's cookie names do not clash. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = setCookie.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const expires = attributes.find((attribute) => attribute.toLowerCase().startsWith('expires='));
      if (value === '' || (expires !== undefined && Date.parse(expires.slice('expires='.length)) <= Date.now())) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function generateSigningKeys(): Promise<SigningKeys> {
  const entries = await Promise.all(
    TOKEN_ALGS.map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk: JWK = { ...(await exportJWK(privateKey)), kid: `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`, alg, use: 'sig' };
      return [alg, jwk] as const;
    }),
  );
  return Object.fromEntries(entries) as SigningKeys;
}

function accessTokenOf(step: string, body: string): string {
  const { access_token: accessToken } = JSON.parse(body) as { access_token?: unknown };
  if (typeof accessToken !== 'string') {
    throw new Error(`${step} has no access_token: ${body}`);
  }
  return accessToken;
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  // fetch's own message is only "fetch failed"; the reason (ECONNREFUSED, ...) is its cause.
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
