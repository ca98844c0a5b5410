import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { parse } from 'yaml';
import { recreateDatabase } from '@app/dev-stack';
import { aSessionCompleted } from '@app/testing';
import { ApiHarness, ApiProcess, bearer, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';
import { ownDatabaseUrl } from '../support/test-env';

const VC_JWT = 'application/vc+jwt';

interface IssuedCredential {
  readonly id: string;
  readonly credentialSubject: { readonly id: string };
}
const json = async <T = Record<string, unknown>>(response: Response): Promise<T> => (await response.json()) as T;
const codeOf = async (response: Response) => [response.status, (await json<{ code: string }>(response)).code];
const officialSchema = () => {
  const ajv = new Ajv2019({ allErrors: true, strictTuples: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'open-badges', 'ob_v3p0_achievementcredential_schema.json'), 'utf8')));
};

/**
 * Contract section 11's portable badges, from a production-mode api process: an earned badge as a
 * signed Open Badges 3.0 credential, checked the way an outside verifier checks it, over HTTP.
 */
describe('Open Badges 3.0 credentials', () => {
  const url = ownDatabaseUrl('gamification_test_open_badges');
  // A user id shaped like an email: the credential must carry nothing of it.
  const learner = 'ada.lovelace@example.com';
  let api: ApiProcess;

  const credential = (code: string, userId = learner, accept = VC_JWT) => api.fetch(`/gamification/badges/${code}/credential`, { headers: { ...bearer(tokenFor(userId)), Accept: accept } });

  beforeAll(async () => {
    await recreateDatabase(url, () => undefined);
    api = await ApiProcess.start({ DATABASE_URL: url, OB_ISSUER_NAME: 'Interview Gym' });
    for (const userId of [learner, 'grace']) {
      const session = aSessionCompleted({ userId, completedAt: new Date(Date.now() - 60_000).toISOString(), durationSeconds: 1800, score: 90 });
      const applied = await api.fetch('/gamification/sync-progress', { method: 'POST', headers: { ...bearer(TEST_SERVICE_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify(session) });
      expect(applied.status).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('signs an earned badge as a VC-JWT that verifies against the published JWKS, as an outside verifier checks it', async () => {
    const response = await credential('FIRST_STEPS');
    expect([response.status, response.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^application\/vc\+jwt/)]);
    const jwt = await response.text();
    const header = decodeProtectedHeader(jwt);
    expect(header).toEqual({ alg: 'RS256', kid: expect.stringMatching(new RegExp(`^${api.base}/ob/keys/[A-Za-z0-9_-]{43}$`)), typ: 'JWT' });
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${api.base}/.well-known/jwks.json`)), { issuer: `${api.base}/ob/issuer`, algorithms: ['RS256'] });
    expect(payload).toMatchObject({
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      name: 'First Steps',
      issuer: { id: `${api.base}/ob/issuer`, type: ['Profile'], name: 'Interview Gym' },
      credentialSubject: { type: ['AchievementSubject'], achievement: { id: expect.stringMatching(new RegExp(`^${api.base}/ob/achievements/FIRST_STEPS/versions/\\d+$`)), criteria: { narrative: 'Complete a practice session' } } },
    });
    // The achievement's id serves the very definition that was signed, as a verifier that follows it sees it.
    const { achievement } = payload.credentialSubject as { achievement: { id: string } };
    expect(await json(await fetch(achievement.id))).toEqual({ '@context': payload['@context'], ...achievement });
    // The registered claims mirror the credential, as OB 3.0 section 8.2 asks.
    expect([payload.jti, payload.sub, payload.nbf]).toEqual([payload.id, (payload.credentialSubject as { id: string }).id, Date.parse(payload.validFrom as string) / 1000]);
    // The kid dereferences to the key itself.
    const key = await json<JWK>(await fetch(header.kid!));
    await expect(jwtVerify(jwt, await importJWK(key, 'RS256'))).resolves.toBeDefined();
  });

  it('answers the credential and the JWT side by side for Accept: application/json, the credential valid under the official schema', async () => {
    const response = await credential('FIRST_STEPS', learner, 'application/json');
    expect([response.status, response.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^application\/json/)]);
    const body = await json<{ credential: Record<string, unknown>; jwt: string }>(response);
    const validate = officialSchema();
    expect([validate(body.credential), validate.errors]).toEqual([true, null]);
    const { payload } = await jwtVerify(body.jwt, createRemoteJWKSet(new URL(`${api.base}/.well-known/jwks.json`)));
    const { iss: _iss, jti: _jti, sub: _sub, nbf: _nbf, iat: _iat, ...signed } = payload;
    expect(signed).toEqual(body.credential);
  });

  it('names the subject by an id that reveals nothing of the user, the same on every copy, another for another user', async () => {
    const first = (await json<{ credential: IssuedCredential }>(await credential('FIRST_STEPS', learner, 'application/json'))).credential;
    const again = (await json<{ credential: IssuedCredential }>(await credential('FIRST_STEPS', learner, 'application/json'))).credential;
    const other = (await json<{ credential: IssuedCredential }>(await credential('FIRST_STEPS', 'grace', 'application/json'))).credential;
    expect(first.credentialSubject.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([again.id, again.credentialSubject.id]).toEqual([first.id, first.credentialSubject.id]);
    expect(other.credentialSubject.id).not.toBe(first.credentialSubject.id);
    expect(other.id).not.toBe(first.id);
    const text = JSON.stringify(first).toLowerCase();
    for (const part of ['ada', 'lovelace', 'example.com']) {
      expect([part, text.includes(part)]).toEqual([part, false]);
    }
  });

  it('refuses a badge not earned, an unknown code, no token and the service key', async () => {
    const notEarned = await credential('WEEK_WARRIOR');
    expect(await codeOf(notEarned)).toEqual([404, 'BADGE_NOT_EARNED']);
    const unknown = await credential('NO_SUCH_BADGE');
    expect(await codeOf(unknown)).toEqual([404, 'BADGE_NOT_EARNED']);
    // grace earned FIRST_STEPS too, but nobody gets a badge through someone else's token: the caller is the token's subject.
    const stranger = await credential('FIRST_STEPS', 'mallory');
    expect(await codeOf(stranger)).toEqual([404, 'BADGE_NOT_EARNED']);
    const anonymous = await api.fetch('/gamification/badges/FIRST_STEPS/credential');
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, expect.stringMatching(/^Bearer/)]);
    const service = await api.fetch('/gamification/badges/FIRST_STEPS/credential', { headers: bearer(TEST_SERVICE_KEY) });
    expect(service.status).toBe(403);
    const html = await credential('FIRST_STEPS', learner, 'text/html');
    expect(await codeOf(html)).toEqual([406, 'NOT_ACCEPTABLE']);
  });

  it('serves the issuer, each achievement with its criteria, and the keys, publicly', async () => {
    const issuer = await json(await api.fetch('/ob/issuer'));
    expect(issuer).toEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: `${api.base}/ob/issuer`,
      type: ['Profile'],
      name: 'Interview Gym',
      url: api.base,
    });
    const achievement = await json(await api.fetch('/ob/achievements/WEEK_WARRIOR'));
    expect(achievement).toMatchObject({ type: ['Achievement'], name: 'Week Warrior', criteria: { narrative: 'Practise 7 days in a row' }, creator: { id: issuer.id } });
    expect(achievement.id).toBe(`${api.base}/ob/achievements/WEEK_WARRIOR/versions/${achievement.version}`);
    expect(await codeOf(await api.fetch('/ob/achievements/NO_SUCH_BADGE'))).toEqual([404, 'BADGE_NOT_FOUND']);
    expect(await codeOf(await api.fetch(`/ob/achievements/WEEK_WARRIOR/versions/${Number(achievement.version) + 1}`))).toEqual([404, 'BADGE_NOT_FOUND']);
    expect(await codeOf(await api.fetch('/ob/achievements/WEEK_WARRIOR/versions/latest'))).toEqual([400, 'VALIDATION_FAILED']);
    const jwks = await json<{ keys: unknown[] }>(await api.fetch('/.well-known/jwks.json'));
    expect(jwks.keys).toEqual([{ kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: expect.stringMatching(/\/ob\/keys\//), alg: 'RS256', use: 'sig' }]);
    expect(JSON.stringify(jwks)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
    expect((await api.fetch('/ob/keys/not-a-key-of-ours')).status).toBe(404);
    // Verifiers running in a browser read them from other origins.
    for (const path of ['/ob/issuer', '/ob/achievements/WEEK_WARRIOR', '/.well-known/jwks.json', '/asyncapi.json']) {
      expect([path, (await api.fetch(path)).headers.get('access-control-allow-origin')]).toEqual([path, '*']);
    }
  });

  it('names in every JWT the one key the JWKS publishes, under the URL that serves it', async () => {
    const { kid } = decodeProtectedHeader(await (await credential('FIRST_STEPS')).text());
    const { keys } = await json<{ keys: Array<{ kid: string }> }>(await api.fetch('/.well-known/jwks.json'));
    expect(keys.map((key) => key.kid)).toEqual([kid]);
    expect(await json(await fetch(kid!))).toEqual(keys[0]);
  });

  it('serves the AsyncAPI document with this installation’s topic names', async () => {
    const served = await json(await api.fetch('/asyncapi.json'));
    const committed = parse(readFileSync(join(__dirname, '..', '..', 'docs', 'asyncapi.yaml'), 'utf8'));
    expect(served).toEqual(committed);
    const renamed = await ApiProcess.start({ DATABASE_URL: url, TOPIC_LEVEL_UP: 'levels.v1', TOPIC_BADGE_AWARDED: 'badges.v1' });
    try {
      const document = await json<{ channels: Record<string, { address: string }> }>(await renamed.fetch('/asyncapi.json'));
      expect([document.channels.levelUp.address, document.channels.badgeAwarded.address, document.channels.streakLost.address]).toEqual(['levels.v1', 'badges.v1', 'streak.lost']);
    } finally {
      await renamed.stop();
    }
  });

  it('does not start in production without a valid OB_SIGNING_KEY, naming it', async () => {
    await expect(ApiProcess.start({ DATABASE_URL: url, OB_SIGNING_KEY: '' })).rejects.toThrow(/OB_SIGNING_KEY: the api needs the RSA private key/);
    await expect(ApiProcess.start({ DATABASE_URL: url, OB_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' })).rejects.toThrow(/OB_SIGNING_KEY: not a private key in PEM/);
  });

  it('in development, generates a key once and keeps it: credentials verify after a restart', async () => {
    const devKeyFile = join(mkdtempSync(join(tmpdir(), 'ob-dev-key-')), 'keys', 'ob.pem');
    const jwksOf = async () => {
      const harness = await ApiHarness.start({ DATABASE_URL: url, NODE_ENV: 'test', OB_DEV_KEY_FILE: devKeyFile });
      try {
        return (await harness.http().get('/.well-known/jwks.json').expect(200)).body;
      } finally {
        await harness.stop();
      }
    };
    const first = await jwksOf();
    expect(readFileSync(devKeyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await jwksOf()).toEqual(first);
    // A kept file that no longer holds a usable key stops the api (a process of its own), naming the setting and the way out.
    writeFileSync(devKeyFile, 'not a key');
    await expect(ApiProcess.start({ DATABASE_URL: url, NODE_ENV: 'development', OB_SIGNING_KEY: '', OB_DEV_KEY_FILE: devKeyFile })).rejects.toThrow(
      /OB_DEV_KEY_FILE: .*ob\.pem not a private key in PEM .*delete it/,
    );
  });
});
