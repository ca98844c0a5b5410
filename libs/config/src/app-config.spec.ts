import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config';
import { ConfigurationError } from './configuration.error';

const minimal = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gamification', KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: 'redis://127.0.0.1:6379' };

const RSA_2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const RSA_1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const EC_P256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const apiEnv = { ...minimal, JWT_SECRET: 'a-secret-of-at-least-32-characters-0123' };
/** What a production api needs beyond the others: the credential signing key and its public URL. */
const production = { OB_SIGNING_KEY: RSA_2048, PUBLIC_BASE_URL: 'https://gamification.example.com' };

function problemsOf(env: Record<string, string>, role: 'worker' | 'api' | 'operator' = 'worker'): string[] {
  try {
    loadAppConfig(env, role);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return [...error.problems];
    }
    throw error;
  }
  return [];
}

describe('the environment settings', () => {
  it('applies the contract defaults for topics', () => {
    const config = loadAppConfig(minimal, 'worker');
    expect(config.topics).toEqual({
      sessionCompleted: 'session.completed',
      sessionCompletedDlq: 'session.completed.dlq',
      badgeAwarded: 'badge.awarded',
      levelUp: 'level.up',
      streakAtRisk: 'streak.at_risk',
      streakFrozen: 'streak.frozen',
      streakLost: 'streak.lost',
      leaderboardFinished: 'leaderboard.finished',
    });
    expect(config.streakSweep).toEqual({ intervalMs: 60_000, batchSize: 10_000 });
    expect(config.leaderboardSweep).toEqual({ intervalMs: 60_000 });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'gamification:' });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
  });

  it('reads renamed topics and several brokers', () => {
    const config = loadAppConfig({ ...minimal, KAFKA_BROKERS: 'a:9092,b:9093', TOPIC_LEVEL_UP: 'levels.v1' }, 'worker');
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.topics.levelUp).toBe('levels.v1');
    expect(loadAppConfig({ ...minimal, TOPIC_STREAK_LOST: 'streaks.lost.v1' }, 'worker').topics.streakLost).toBe('streaks.lost.v1');
  });

  it('names every bad setting at once', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://nope',
      KAFKA_BROKERS: 'no-port',
      KAFKA_TOPIC_PARTITIONS: 'many',
      TOPIC_STREAK_AT_RISK: 'streak at risk',
      STREAK_SWEEP_INTERVAL_MS: '10',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://127.0.0.1:6379',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'KAFKA_TOPIC_PARTITIONS',
      'TOPIC_STREAK_AT_RISK',
      'STREAK_SWEEP_INTERVAL_MS',
      'LOG_LEVEL',
      'REDIS_URL',
    ]);
  });

  it('requires the brokers for the worker, and for the api, whose live streams tail the topics', () => {
    const { KAFKA_BROKERS: _omitted, ...withoutBrokers } = minimal;
    expect(problemsOf(withoutBrokers, 'worker')).toEqual([expect.stringMatching(/^KAFKA_BROKERS: the worker needs/)]);
    expect(problemsOf({ ...withoutBrokers, NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:6379' }, 'api')).toEqual([
      expect.stringMatching(/^KAFKA_BROKERS: the api needs the Kafka brokers for its live streams/),
    ]);
    expect(problemsOf(withoutBrokers, 'operator')).toEqual([]);
  });

  it('reads the live streams settings, and refuses bad values naming them', () => {
    const api = { ...minimal, NODE_ENV: 'test' };
    expect(loadAppConfig(api, 'api').stream).toEqual({ maxPerUser: 5, heartbeatMs: 15_000, maxBufferedBytes: 65_536 });
    expect(loadAppConfig({ ...api, STREAM_MAX_PER_USER: '2', STREAM_HEARTBEAT_MS: '500', STREAM_MAX_BUFFERED_BYTES: '4096' }, 'api').stream).toEqual({
      maxPerUser: 2,
      heartbeatMs: 500,
      maxBufferedBytes: 4096,
    });
    expect(problemsOf({ ...api, STREAM_MAX_PER_USER: '0', STREAM_HEARTBEAT_MS: 'often', STREAM_MAX_BUFFERED_BYTES: '-1' }, 'api').map((problem) => problem.split(':')[0])).toEqual([
      'STREAM_MAX_PER_USER',
      'STREAM_HEARTBEAT_MS',
      'STREAM_MAX_BUFFERED_BYTES',
    ]);
  });

  it('requires Redis for the worker, which writes the leaderboards', () => {
    const { REDIS_URL: _omitted, ...withoutRedis } = minimal;
    expect(problemsOf(withoutRedis, 'worker')).toEqual([expect.stringMatching(/^REDIS_URL: the worker needs Redis for the leaderboards/)]);
    expect(problemsOf({ ...minimal, REDIS_KEY_PREFIX: 'has space' }, 'worker')).toEqual([expect.stringMatching(/^REDIS_KEY_PREFIX: /)]);
  });

  it('requires a JWT secret, Redis, a credential signing key and the public URL for the api outside test mode', () => {
    const api = { DATABASE_URL: minimal.DATABASE_URL };
    expect(problemsOf(api, 'api').map((problem) => problem.split(':')[0])).toEqual(['KAFKA_BROKERS', 'JWT_SECRET', 'REDIS_URL', 'OB_SIGNING_KEY', 'PUBLIC_BASE_URL']);
    expect(problemsOf({ ...api, KAFKA_BROKERS: minimal.KAFKA_BROKERS, NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:6379' }, 'api')).toEqual([]);
    expect(problemsOf({ ...api, ...production, KAFKA_BROKERS: minimal.KAFKA_BROKERS, JWT_SECRET: 'too-short', REDIS_URL: 'redis://127.0.0.1:6379' }, 'api')).toEqual([
      expect.stringMatching(/^JWT_SECRET: JWT_SECRET must be 32 to 512 characters/),
    ]);
  });

  describe('tokens from an identity provider', () => {
    const provider = { JWT_ISSUER: 'https://idp.example.com/realms/platform', JWT_AUDIENCE: 'gamification' };
    const noSecret = { ...minimal, ...production };

    it('turns on with JWT_JWKS_URL, needs no JWT_SECRET then, and keeps the defaults of the README', () => {
      const { auth } = loadAppConfig({ ...noSecret, ...provider, JWT_JWKS_URL: 'https://idp.example.com/keys' }, 'api');
      expect(auth).toEqual({
        jwtSecret: null,
        issuer: provider.JWT_ISSUER,
        audience: 'gamification',
        identityProvider: { jwksUrl: 'https://idp.example.com/keys', discoveryIssuer: null, cacheMaxAgeMs: 600_000, cooldownMs: 30_000, timeoutMs: 5_000 },
        clockToleranceSeconds: 30,
        userIdClaim: 'sub',
        serviceApiKey: null,
      });
    });

    it('discovers the keys from the issuer with JWT_OIDC_DISCOVERY, and keeps JWT_SECRET beside them when both are set', () => {
      const { auth } = loadAppConfig(
        { ...noSecret, ...provider, JWT_OIDC_DISCOVERY: 'true', JWT_SECRET: apiEnv.JWT_SECRET, JWT_USER_ID_CLAIM: 'https://platform.example.com/user_id', JWT_CLOCK_TOLERANCE_SECONDS: '5' },
        'api',
      );
      expect(auth).toMatchObject({
        jwtSecret: apiEnv.JWT_SECRET,
        identityProvider: { jwksUrl: null, discoveryIssuer: provider.JWT_ISSUER },
        clockToleranceSeconds: 5,
        userIdClaim: 'https://platform.example.com/user_id',
      });
    });

    it('requires the issuer and the audience, and one way to the keys, each named', () => {
      expect(problemsOf({ ...noSecret, JWT_JWKS_URL: 'https://idp.example.com/keys' }, 'api').map((problem) => problem.split(':')[0])).toEqual(['JWT_ISSUER', 'JWT_AUDIENCE']);
      expect(problemsOf({ ...noSecret, ...provider, JWT_JWKS_URL: 'https://idp.example.com/keys', JWT_OIDC_DISCOVERY: 'true' }, 'api')).toEqual([
        expect.stringMatching(/^JWT_JWKS_URL: set it or JWT_OIDC_DISCOVERY=true/),
      ]);
      expect(problemsOf({ ...noSecret, ...provider, JWT_ISSUER: 'platform', JWT_OIDC_DISCOVERY: 'true' }, 'api')).toEqual([expect.stringMatching(/^JWT_ISSUER: for OIDC discovery, must be an http\(s\) URL/)]);
      expect(problemsOf({ ...noSecret, ...provider, JWT_JWKS_URL: 'idp.example.com/keys' }, 'api')).toEqual([expect.stringMatching(/^JWT_JWKS_URL: must be an http\(s\) URL/)]);
      // Keys fetched in the clear could be swapped on the way: https in production, but for a provider on this host.
      expect(problemsOf({ ...noSecret, ...provider, JWT_JWKS_URL: 'http://idp.example.com/keys' }, 'api')).toEqual([expect.stringMatching(/^JWT_JWKS_URL: must be an https URL in production/)]);
      expect(problemsOf({ ...noSecret, ...provider, JWT_JWKS_URL: 'http://127.0.0.1:8080/keys' }, 'api')).toEqual([]);
      expect(problemsOf({ ...noSecret, ...provider, JWT_JWKS_URL: 'http://keycloak:8080/keys', NODE_ENV: 'development' }, 'api')).toEqual([]);
      expect(problemsOf({ ...noSecret, ...provider, JWT_JWKS_URL: 'https://idp.example.com/keys', JWT_CLOCK_TOLERANCE_SECONDS: '-1', JWT_USER_ID_CLAIM: 'has space' }, 'api').map((problem) => problem.split(':')[0])).toEqual([
        'JWT_CLOCK_TOLERANCE_SECONDS',
        'JWT_USER_ID_CLAIM',
      ]);
    });

    it('asks for JWT_SECRET or an identity provider when neither is set', () => {
      expect(problemsOf(noSecret, 'api')).toEqual([expect.stringMatching(/^JWT_SECRET: .*or an identity provider \(JWT_JWKS_URL, or JWT_ISSUER with JWT_OIDC_DISCOVERY=true\)/)]);
    });
  });

  it('reads the signing key of badge credentials from OB_SIGNING_KEY or OB_SIGNING_KEY_FILE, and the public URL without a trailing slash', () => {
    const config = loadAppConfig({ ...apiEnv, ...production, PUBLIC_BASE_URL: 'https://badges.example.com/engine/' }, 'api');
    expect(config.openBadges).toEqual({ issuerName: 'Gamification Engine', signingKeyPem: RSA_2048, devKeyFile: '.cache/ob-signing-key.pem' });
    expect(config.publicBaseUrl).toBe('https://badges.example.com/engine');
    const file = join(mkdtempSync(join(tmpdir(), 'ob-key-')), 'key.pem');
    writeFileSync(file, RSA_2048);
    const { OB_SIGNING_KEY: _inline, ...fromFile } = { ...apiEnv, ...production, OB_SIGNING_KEY_FILE: file };
    expect(loadAppConfig(fromFile, 'api').openBadges.signingKeyPem).toBe(RSA_2048);
    // As an .env file or a platform's settings page often holds it: the line breaks written as \n.
    expect(loadAppConfig({ ...apiEnv, ...production, OB_SIGNING_KEY: RSA_2048.replace(/\n/g, '\\n') }, 'api').openBadges.signingKeyPem).toBe(RSA_2048);
    // Outside production, no key is needed (the api generates and keeps one) and the URL is localhost's.
    expect(loadAppConfig({ ...apiEnv, NODE_ENV: 'development', PORT: '3100' }, 'api')).toMatchObject({ openBadges: { signingKeyPem: null }, publicBaseUrl: 'http://localhost:3100' });
  });

  it('refuses a signing key that is not an RSA private key of 2048 bits or more, or that cannot be read, naming the setting', () => {
    const refused = (env: Record<string, string>) => problemsOf({ ...apiEnv, ...production, ...env }, 'api');
    expect(refused({ OB_SIGNING_KEY: 'not a key' })).toEqual([expect.stringMatching(/^OB_SIGNING_KEY: not a private key in PEM/)]);
    expect(refused({ OB_SIGNING_KEY: RSA_1024 })).toEqual(['OB_SIGNING_KEY: must be an RSA private key of 2048 bits or more, not rsa of 1024 bits']);
    expect(refused({ OB_SIGNING_KEY: EC_P256 })).toEqual(['OB_SIGNING_KEY: must be an RSA private key of 2048 bits or more, not ec']);
    expect(refused({ OB_SIGNING_KEY: RSA_2048.replace(/\n/g, '') })).toEqual([expect.stringMatching(/^OB_SIGNING_KEY: not a private key in PEM/)]);
    expect(refused({ OB_SIGNING_KEY_FILE: '/nonexistent/ob.pem' })).toEqual(['OB_SIGNING_KEY: set it or OB_SIGNING_KEY_FILE, not both']);
    const { OB_SIGNING_KEY: _inline, ...withoutInline } = { ...apiEnv, ...production };
    expect(problemsOf({ ...withoutInline, OB_SIGNING_KEY_FILE: '/nonexistent/ob.pem' }, 'api')).toEqual([expect.stringMatching(/^OB_SIGNING_KEY_FILE: cannot read \/nonexistent\/ob\.pem/)]);
    expect(refused({ PUBLIC_BASE_URL: 'badges.example.com' })).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL: PUBLIC_BASE_URL must be an http\(s\) URL/)]);
  });

  it('reads the log format, request logging and outbox retention, and refuses bad values naming them', () => {
    expect(loadAppConfig(minimal, 'worker')).toMatchObject({ logFormat: 'json', logRequests: true, outbox: { retentionHours: 24 } });
    expect(loadAppConfig({ ...minimal, NODE_ENV: 'development' }, 'worker').logFormat).toBe('pretty');
    expect(loadAppConfig({ ...minimal, LOG_FORMAT: 'json', NODE_ENV: 'development', LOG_REQUESTS: 'false', OUTBOX_RETENTION_HOURS: '0.25' }, 'worker')).toMatchObject({
      logFormat: 'json',
      logRequests: false,
      outbox: { retentionHours: 0.25 },
    });
    expect(problemsOf({ ...minimal, LOG_FORMAT: 'xml', LOG_REQUESTS: 'yes', OUTBOX_RETENTION_HOURS: '0' }).map((problem) => problem.split(':')[0])).toEqual([
      'OUTBOX_RETENTION_HOURS',
      'LOG_FORMAT',
      'LOG_REQUESTS',
    ]);
    expect(problemsOf({ ...minimal, OUTBOX_RETENTION_HOURS: 'a day' })).toEqual([
      expect.stringMatching(/^OUTBOX_RETENTION_HOURS: .*must be a number of hours, e.g. 24 or 0.25$/),
    ]);
  });

  it('moves a dead worker\'s partitions after 10 s by default, within the 15 s resume target', () => {
    expect(loadAppConfig(minimal, 'worker').kafka.sessionTimeoutMs).toBe(10_000);
  });

  it('requires DATABASE_URL', () => {
    expect(problemsOf({ KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: minimal.REDIS_URL })).toEqual([expect.stringMatching(/^DATABASE_URL/)]);
  });
});
