import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Length, Matches, Max, Min, validateSync } from 'class-validator';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from './configuration.error';
import { validationProblems } from './validation-problems';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface Topics {
  readonly sessionCompleted: string;
  readonly sessionCompletedDlq: string;
  readonly badgeAwarded: string;
  readonly levelUp: string;
  readonly streakAtRisk: string;
  readonly streakFrozen: string;
  readonly streakLost: string;
  readonly leaderboardFinished: string;
}

/** The validated settings of a process. Read once at start-up and injected; nothing else reads the environment. */
export abstract class AppConfig {
  /** Which process these settings are for: a worker or an api records the first rules version on an empty database; the operator's command only reads. */
  abstract readonly role: ProcessRole;
  abstract readonly database: { readonly url: string; readonly poolSize: number };
  abstract readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly groupId: string;
    readonly topicPartitions: number;
    /** The most session events the worker applies in one transaction. */
    readonly maxEventsPerTransaction: number;
    /** Partitions the worker handles side by side (each in its own transactions). */
    readonly partitionsConsumedConcurrently: number;
    /** How long the group waits for a silent member (a killed worker) before moving its partitions. */
    readonly sessionTimeoutMs: number;
    readonly rebalanceTimeoutMs: number;
  };
  abstract readonly topics: Topics;
  abstract readonly rulesFile: string;
  abstract readonly outbox: {
    readonly pollIntervalMs: number;
    readonly batchSize: number;
    /** How long a sent outbox row is kept before it is deleted. */
    readonly retentionHours: number;
  };
  /** The worker's sweep for clock-driven streak notices (contract section 8). */
  abstract readonly streakSweep: {
    readonly intervalMs: number;
    /** Users handled per transaction. */
    readonly batchSize: number;
  };
  /** The worker's sweep for leaderboard periods that became final (contract section 9). */
  abstract readonly leaderboardSweep: { readonly intervalMs: number };
  abstract readonly logLevel: LogLevel;
  /** JSON lines for log collectors, or readable lines for people. */
  abstract readonly logFormat: LogFormat;
  /** Whether the api writes one line per request. */
  abstract readonly logRequests: boolean;
  abstract readonly http: { readonly host: string; readonly port: number };
  /** The api's live streams (contract section 11). */
  abstract readonly stream: {
    /** Streams one user may hold open at once on one instance. */
    readonly maxPerUser: number;
    /** How often an idle stream gets a comment line. */
    readonly heartbeatMs: number;
    /** How much may wait unread in a stream's buffer before the stream is dropped as a client that stopped reading. */
    readonly maxBufferedBytes: number;
  };
  /** The worker's own health and metrics listener; 0 picks a free port. */
  abstract readonly workerHttpPort: number;
  abstract readonly auth: {
    /** HS256 key for users' and services' bearer tokens; null when only the identity provider's tokens are accepted. */
    readonly jwtSecret: string | null;
    readonly audience: string | null;
    readonly issuer: string | null;
    /** The identity provider whose keys (a JWKS) verify RS256, ES256 and EdDSA tokens; null for none. */
    readonly identityProvider: IdentityProviderSettings | null;
    /** How far a token's exp and nbf may be off the api's clock. */
    readonly clockToleranceSeconds: number;
    /** The claim that holds the user's id. */
    readonly userIdClaim: string;
    /** A static credential internal services may send as their bearer token instead of a JWT. */
    readonly serviceApiKey: string | null;
  };
  abstract readonly redis: {
    readonly url: string | null;
    /** Put before every key, so that installations (or test runs) can share one Redis. */
    readonly keyPrefix: string;
  };
  abstract readonly rateLimit: { readonly writesPerMinute: number };
  /** The api's URL as the outside reaches it: every Open Badges id lives under it. */
  abstract readonly publicBaseUrl: string;
  abstract readonly openBadges: {
    readonly issuerName: string;
    /** OB_SIGNING_KEY (or the file OB_SIGNING_KEY_FILE names): an RSA private key in PEM; null outside production when neither is set. */
    readonly signingKeyPem: string | null;
    /** Where a development or test api keeps the key it generates when none is configured. */
    readonly devKeyFile: string;
  };
  abstract readonly environment: NodeEnvironment;
  /** The built dashboard the api serves at `/`; served only when the folder exists. */
  abstract readonly webDistDir: string;
}

/** Where the identity provider's keys are, and how they are cached (section "Sign-in" of the README). */
export interface IdentityProviderSettings {
  /** JWT_JWKS_URL; null when it is discovered from the issuer (JWT_OIDC_DISCOVERY). */
  readonly jwksUrl: string | null;
  /** The issuer whose `/.well-known/openid-configuration` names the JWKS, when it is discovered. */
  readonly discoveryIssuer: string | null;
  /** How long fetched keys are used before they are fetched again: a key removed from the JWKS stops working after it. */
  readonly cacheMaxAgeMs: number;
  /** The least time between two fetches: bounds the refetches that unknown `kid`s cause, and the tries at a provider that is down. */
  readonly cooldownMs: number;
  /** How long a fetch of the keys (or of the discovery document) may take. */
  readonly timeoutMs: number;
}

export const NODE_ENVIRONMENTS = ['production', 'development', 'test'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);
const toDecimal = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const topicMessage = { message: '$property must be a Kafka topic name ([A-Za-z0-9._-], 1..249 characters)' };

class EnvironmentVariables {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = 10;

  @IsOptional()
  @Matches(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, { message: 'KAFKA_BROKERS must be comma-separated host:port pairs' })
  KAFKA_BROKERS?: string;

  @IsString() @IsNotEmpty()
  KAFKA_CLIENT_ID = 'gamification-engine';

  @IsString() @IsNotEmpty()
  KAFKA_GROUP_ID = 'gamification-worker';

  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  KAFKA_TOPIC_PARTITIONS = 6;

  @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  MAX_EVENTS_PER_TRANSACTION = 1000;

  @Transform(toInt) @IsInt() @Min(1) @Max(100)
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY = 6;

  @Transform(toInt) @IsInt() @Min(6_000) @Max(300_000)
  KAFKA_SESSION_TIMEOUT_MS = 10_000;

  @Transform(toInt) @IsInt() @Min(6_000) @Max(300_000)
  KAFKA_REBALANCE_TIMEOUT_MS = 60_000;

  @Matches(TOPIC_NAME, topicMessage) TOPIC_SESSION_COMPLETED = 'session.completed';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_SESSION_COMPLETED_DLQ = 'session.completed.dlq';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_BADGE_AWARDED = 'badge.awarded';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_LEVEL_UP = 'level.up';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_STREAK_AT_RISK = 'streak.at_risk';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_STREAK_FROZEN = 'streak.frozen';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_STREAK_LOST = 'streak.lost';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_LEADERBOARD_FINISHED = 'leaderboard.finished';

  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000)
  STREAK_SWEEP_INTERVAL_MS = 60_000;

  // Each batch is a transaction that holds its users' rows for about a second at 10,000: a minute's
  // due users are swept in one pass, and fewer commits and index passes make the sweep faster.
  @Transform(toInt) @IsInt() @Min(1) @Max(50_000)
  STREAK_SWEEP_BATCH_SIZE = 10_000;

  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000)
  LEADERBOARD_SWEEP_INTERVAL_MS = 60_000;

  @IsString() @IsNotEmpty()
  RULES_FILE = 'config/rules.yaml';

  @Transform(toInt) @IsInt() @Min(10) @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS = 200;

  @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  OUTBOX_BATCH_SIZE = 2000;

  // Hours, with decimals: a soak or a small installation may keep sent rows for minutes only.
  @Transform(toDecimal) @IsNumber({}, { message: 'OUTBOX_RETENTION_HOURS must be a number of hours, e.g. 24 or 0.25' }) @Min(0.01) @Max(8_760)
  OUTBOX_RETENTION_HOURS = 24;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'log';

  @IsOptional() @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;

  @IsIn(['true', 'false'])
  LOG_REQUESTS = 'true';

  @IsString() @IsNotEmpty()
  HOST = '0.0.0.0';

  @Transform(toInt) @IsInt() @Min(1) @Max(65_535)
  PORT = 3000;

  @Transform(toInt) @IsInt() @Min(0) @Max(65_535)
  WORKER_HTTP_PORT = 9464;

  @IsIn(NODE_ENVIRONMENTS)
  NODE_ENV: NodeEnvironment = 'production';

  @IsOptional() @IsString() @Length(32, 512, { message: 'JWT_SECRET must be 32 to 512 characters' })
  JWT_SECRET?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  JWT_AUDIENCE?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  JWT_ISSUER?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  JWT_JWKS_URL?: string;

  @IsIn(['true', 'false'])
  JWT_OIDC_DISCOVERY = 'false';

  @Transform(toInt) @IsInt() @Min(0) @Max(300)
  JWT_CLOCK_TOLERANCE_SECONDS = 30;

  @Matches(/^[A-Za-z0-9_:/.#-]{1,200}$/, { message: 'JWT_USER_ID_CLAIM must be a claim name (letters, digits and _:/.#-), such as sub' })
  JWT_USER_ID_CLAIM = 'sub';

  @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  JWT_JWKS_CACHE_SECONDS = 600;

  @Transform(toInt) @IsInt() @Min(1) @Max(3_600)
  JWT_JWKS_COOLDOWN_SECONDS = 30;

  @Transform(toInt) @IsInt() @Min(100) @Max(60_000)
  JWT_JWKS_TIMEOUT_MS = 5_000;

  @IsOptional() @IsString() @Length(32, 512, { message: 'SERVICE_API_KEY must be 32 to 512 characters' })
  SERVICE_API_KEY?: string;

  @IsOptional() @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  @Matches(/^[A-Za-z0-9:_.-]{0,64}$/, { message: 'REDIS_KEY_PREFIX must be at most 64 letters, digits and :_.-' })
  REDIS_KEY_PREFIX = 'gamification:';

  @Transform(toInt) @IsInt() @Min(1) @Max(100_000)
  RATE_LIMIT_WRITES_PER_MINUTE = 60;

  @IsString() @IsNotEmpty()
  WEB_DIST_DIR = 'dist/apps/web';

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL without query or fragment, such as https://gamification.example.com' })
  PUBLIC_BASE_URL?: string;

  @IsOptional() @IsString()
  OB_SIGNING_KEY?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  OB_SIGNING_KEY_FILE?: string;

  @IsString() @IsNotEmpty()
  OB_DEV_KEY_FILE = '.cache/ob-signing-key.pem';

  @IsString() @Length(1, 200, { message: 'OB_ISSUER_NAME must be 1 to 200 characters' })
  OB_ISSUER_NAME = 'Gamification Engine';

  @Transform(toInt) @IsInt() @Min(1) @Max(100)
  STREAM_MAX_PER_USER = 5;

  // Contract section 11: a comment line every 15 s keeps proxies from closing an idle stream.
  @Transform(toInt) @IsInt() @Min(100) @Max(60_000)
  STREAM_HEARTBEAT_MS = 15_000;

  // About 60 events unsent: a client whose network stalls for a moment catches up; one that stays
  // over it for 5 s, or reaches 8 times it in a burst (512 kB), is dropped as a client that stopped
  // reading (apps/api/src/stream/event-stream.ts).
  @Transform(toInt) @IsInt() @Min(1_024) @Max(16_777_216)
  STREAM_MAX_BUFFERED_BYTES = 65_536;
}

/** The worker and the api; `operator` is the rules command, which needs only the database. */
export type ProcessRole = 'worker' | 'api' | 'operator';

/** Validates the environment; every bad or missing setting is named in one error. */
export function loadAppConfig(env: Readonly<Record<string, string | undefined>>, role: ProcessRole): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const vars = plainToInstance(EnvironmentVariables, defined, { exposeDefaultValues: true });
  const problems = validationProblems(validateSync(vars));
  if (role === 'worker' && vars.KAFKA_BROKERS === undefined) {
    problems.push('KAFKA_BROKERS: the worker needs the Kafka brokers (comma-separated host:port)');
  }
  if (role === 'api' && vars.KAFKA_BROKERS === undefined) {
    problems.push('KAFKA_BROKERS: the api needs the Kafka brokers for its live streams (comma-separated host:port)');
  }
  const identityProvider = role === 'api' ? identityProviderSettings(vars, problems) : null;
  if (role === 'api' && vars.JWT_SECRET === undefined && identityProvider === null && vars.NODE_ENV !== 'test') {
    problems.push('JWT_SECRET: the api needs the HS256 key that verifies bearer tokens (32 characters or more), or an identity provider (JWT_JWKS_URL, or JWT_ISSUER with JWT_OIDC_DISCOVERY=true)');
  }
  if (role === 'api' && vars.REDIS_URL === undefined) {
    problems.push('REDIS_URL: the api needs Redis for rate limiting and leaderboards (redis://host:port)');
  }
  const signingKeyPem = role === 'api' ? openBadgesSigningKey(vars, problems) : null;
  if (role === 'api' && vars.PUBLIC_BASE_URL === undefined && vars.NODE_ENV === 'production') {
    problems.push('PUBLIC_BASE_URL: the api needs its public URL in production: the ids of the badge credentials it signs live under it');
  }
  if (role === 'worker' && vars.REDIS_URL === undefined) {
    problems.push('REDIS_URL: the worker needs Redis for the leaderboards it writes (redis://host:port)');
  }
  if (problems.length > 0) {
    throw new ConfigurationError(problems);
  }
  return {
    role,
    database: { url: vars.DATABASE_URL, poolSize: vars.DATABASE_POOL_SIZE },
    kafka: {
      brokers: vars.KAFKA_BROKERS?.split(',') ?? [],
      clientId: vars.KAFKA_CLIENT_ID,
      groupId: vars.KAFKA_GROUP_ID,
      topicPartitions: vars.KAFKA_TOPIC_PARTITIONS,
      maxEventsPerTransaction: vars.MAX_EVENTS_PER_TRANSACTION,
      partitionsConsumedConcurrently: vars.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
      sessionTimeoutMs: vars.KAFKA_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: vars.KAFKA_REBALANCE_TIMEOUT_MS,
    },
    topics: {
      sessionCompleted: vars.TOPIC_SESSION_COMPLETED,
      sessionCompletedDlq: vars.TOPIC_SESSION_COMPLETED_DLQ,
      badgeAwarded: vars.TOPIC_BADGE_AWARDED,
      levelUp: vars.TOPIC_LEVEL_UP,
      streakAtRisk: vars.TOPIC_STREAK_AT_RISK,
      streakFrozen: vars.TOPIC_STREAK_FROZEN,
      streakLost: vars.TOPIC_STREAK_LOST,
      leaderboardFinished: vars.TOPIC_LEADERBOARD_FINISHED,
    },
    streakSweep: { intervalMs: vars.STREAK_SWEEP_INTERVAL_MS, batchSize: vars.STREAK_SWEEP_BATCH_SIZE },
    leaderboardSweep: { intervalMs: vars.LEADERBOARD_SWEEP_INTERVAL_MS },
    rulesFile: vars.RULES_FILE,
    outbox: { pollIntervalMs: vars.OUTBOX_POLL_INTERVAL_MS, batchSize: vars.OUTBOX_BATCH_SIZE, retentionHours: vars.OUTBOX_RETENTION_HOURS },
    logLevel: vars.LOG_LEVEL,
    logFormat: vars.LOG_FORMAT ?? (vars.NODE_ENV === 'development' ? 'pretty' : 'json'),
    logRequests: vars.LOG_REQUESTS === 'true',
    http: { host: vars.HOST, port: vars.PORT },
    stream: { maxPerUser: vars.STREAM_MAX_PER_USER, heartbeatMs: vars.STREAM_HEARTBEAT_MS, maxBufferedBytes: vars.STREAM_MAX_BUFFERED_BYTES },
    workerHttpPort: vars.WORKER_HTTP_PORT,
    auth: {
      // In test mode only, a missing secret becomes a random one, unless an identity provider signs
      // the tokens: nothing outside the process can mint tokens.
      jwtSecret: vars.JWT_SECRET ?? (identityProvider === null ? randomBytes(32).toString('hex') : null),
      audience: vars.JWT_AUDIENCE ?? null,
      issuer: vars.JWT_ISSUER ?? null,
      identityProvider,
      clockToleranceSeconds: vars.JWT_CLOCK_TOLERANCE_SECONDS,
      userIdClaim: vars.JWT_USER_ID_CLAIM,
      serviceApiKey: vars.SERVICE_API_KEY ?? null,
    },
    redis: { url: vars.REDIS_URL ?? null, keyPrefix: vars.REDIS_KEY_PREFIX },
    rateLimit: { writesPerMinute: vars.RATE_LIMIT_WRITES_PER_MINUTE },
    environment: vars.NODE_ENV,
    publicBaseUrl: (vars.PUBLIC_BASE_URL ?? `http://localhost:${vars.PORT}`).replace(/\/+$/, ''),
    openBadges: { issuerName: vars.OB_ISSUER_NAME, signingKeyPem, devKeyFile: vars.OB_DEV_KEY_FILE },
    webDistDir: vars.WEB_DIST_DIR,
  };
}

/**
 * JWT_JWKS_URL, or the issuer's discovery document (JWT_OIDC_DISCOVERY with JWT_ISSUER): one of them,
 * and then the issuer and audience too, or a token of one platform would pass at another that trusts
 * the same provider.
 */
function identityProviderSettings(vars: EnvironmentVariables, problems: string[]): IdentityProviderSettings | null {
  const discovery = vars.JWT_OIDC_DISCOVERY === 'true';
  if (vars.JWT_JWKS_URL === undefined && !discovery) {
    return null;
  }
  if (vars.JWT_JWKS_URL !== undefined && discovery) {
    problems.push('JWT_JWKS_URL: set it or JWT_OIDC_DISCOVERY=true (which finds the JWKS from JWT_ISSUER), not both');
  }
  if (vars.JWT_ISSUER === undefined) {
    problems.push(`JWT_ISSUER: tokens from an identity provider are accepted only from its issuer (the tokens' iss, such as https://idp.example.com/realms/platform)${discovery ? ', whose discovery document names the keys' : ''}`);
  }
  if (vars.JWT_AUDIENCE === undefined) {
    problems.push("JWT_AUDIENCE: tokens from an identity provider are accepted only when meant for this api (the tokens' aud, such as the API identifier)");
  }
  if (vars.JWT_JWKS_URL !== undefined) {
    const problem = providerUrlProblem(vars.JWT_JWKS_URL, vars.NODE_ENV);
    if (problem !== null) {
      problems.push(`JWT_JWKS_URL: ${problem}, such as https://idp.example.com/.well-known/jwks.json`);
    }
  }
  if (discovery && vars.JWT_ISSUER !== undefined) {
    const problem = providerUrlProblem(vars.JWT_ISSUER, vars.NODE_ENV);
    if (problem !== null) {
      problems.push(`JWT_ISSUER: for OIDC discovery, ${problem}, such as https://idp.example.com/realms/platform`);
    }
  }
  return {
    jwksUrl: vars.JWT_JWKS_URL ?? null,
    discoveryIssuer: discovery ? (vars.JWT_ISSUER ?? null) : null,
    cacheMaxAgeMs: vars.JWT_JWKS_CACHE_SECONDS * 1000,
    cooldownMs: vars.JWT_JWKS_COOLDOWN_SECONDS * 1000,
    timeoutMs: vars.JWT_JWKS_TIMEOUT_MS,
  };
}

/**
 * What is wrong with the address of the provider's keys, or null: an http(s) URL, and in production
 * https unless the provider is on this host, since keys fetched in the clear could be swapped on the
 * way and every token they sign would pass.
 */
function providerUrlProblem(value: string, environment: NodeEnvironment): string | null {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    return 'must be an http(s) URL';
  }
  const { protocol, hostname } = new URL(value);
  if (environment === 'production' && protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname)) {
    return 'must be an https URL in production (http only for a provider on this host)';
  }
  return null;
}

/** The smallest RSA key that signs credentials: RS256 with less is refused by verifiers (RFC 7518 section 3.3). */
const MIN_RSA_BITS = 2048;

/**
 * OB_SIGNING_KEY, or the content of OB_SIGNING_KEY_FILE, checked to be an RSA private key of 2048
 * bits or more. Required in production; elsewhere a missing key is generated and kept (the api's
 * BadgeSigningKey).
 */
function openBadgesSigningKey(vars: EnvironmentVariables, problems: string[]): string | null {
  if (vars.OB_SIGNING_KEY !== undefined && vars.OB_SIGNING_KEY_FILE !== undefined) {
    problems.push('OB_SIGNING_KEY: set it or OB_SIGNING_KEY_FILE, not both');
    return null;
  }
  let pem: string;
  const name = vars.OB_SIGNING_KEY_FILE === undefined ? 'OB_SIGNING_KEY' : 'OB_SIGNING_KEY_FILE';
  if (vars.OB_SIGNING_KEY_FILE !== undefined) {
    try {
      pem = readFileSync(vars.OB_SIGNING_KEY_FILE, 'utf8');
    } catch (error) {
      problems.push(`OB_SIGNING_KEY_FILE: cannot read ${vars.OB_SIGNING_KEY_FILE} (${(error as Error).message})`);
      return null;
    }
  } else if (vars.OB_SIGNING_KEY !== undefined) {
    // A PEM pasted into an .env file or a platform's settings often arrives with its line breaks as "\n".
    pem = vars.OB_SIGNING_KEY.replace(/\\n/g, '\n');
  } else {
    if (vars.NODE_ENV === 'production') {
      problems.push('OB_SIGNING_KEY: the api needs the RSA private key (PEM, 2048 bits or more) that signs badge credentials in production');
    }
    return null;
  }
  const problem = signingKeyProblem(pem);
  if (problem !== null) {
    problems.push(`${name}: ${problem}`);
    return null;
  }
  return pem;
}

/** What is wrong with a PEM as the key that signs credentials, or null: an RSA private key of 2048 bits or more. */
export function signingKeyProblem(pem: string): string | null {
  try {
    const key = createPrivateKey(pem);
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
      return `must be an RSA private key of ${MIN_RSA_BITS} bits or more, not ${key.asymmetricKeyType ?? 'unknown'}${bits > 0 ? ` of ${bits} bits` : ''}`;
    }
    return null;
  } catch {
    return 'not a private key in PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)';
  }
}
