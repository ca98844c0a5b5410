import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { ConfigurationError } from './configuration.error';
import { validationProblems } from './validation-problems';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Topics {
  readonly sessionCompleted: string;
  readonly sessionCompletedDlq: string;
  readonly badgeAwarded: string;
  readonly levelUp: string;
}

/** The validated settings of a process. Read once at start-up and injected; nothing else reads the environment. */
export abstract class AppConfig {
  abstract readonly database: { readonly url: string; readonly poolSize: number };
  abstract readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly groupId: string;
    readonly topicPartitions: number;
  };
  abstract readonly topics: Topics;
  abstract readonly rulesFile: string;
  abstract readonly outbox: { readonly pollIntervalMs: number; readonly batchSize: number };
  abstract readonly logLevel: LogLevel;
  abstract readonly http: { readonly host: string; readonly port: number };
}

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);
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

  @Matches(TOPIC_NAME, topicMessage) TOPIC_SESSION_COMPLETED = 'session.completed';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_SESSION_COMPLETED_DLQ = 'session.completed.dlq';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_BADGE_AWARDED = 'badge.awarded';
  @Matches(TOPIC_NAME, topicMessage) TOPIC_LEVEL_UP = 'level.up';

  @IsString() @IsNotEmpty()
  RULES_FILE = 'config/rules.yaml';

  @Transform(toInt) @IsInt() @Min(10) @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS = 200;

  @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  OUTBOX_BATCH_SIZE = 500;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'log';

  @IsString() @IsNotEmpty()
  HOST = '0.0.0.0';

  @Transform(toInt) @IsInt() @Min(1) @Max(65_535)
  PORT = 3000;
}

export type ProcessRole = 'worker' | 'api';

/** Validates the environment; every bad or missing setting is named in one error. */
export function loadAppConfig(env: Readonly<Record<string, string | undefined>>, role: ProcessRole): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const vars = plainToInstance(EnvironmentVariables, defined, { exposeDefaultValues: true });
  const problems = validationProblems(validateSync(vars));
  if (role === 'worker' && vars.KAFKA_BROKERS === undefined) {
    problems.push('KAFKA_BROKERS: the worker needs the Kafka brokers (comma-separated host:port)');
  }
  if (problems.length > 0) {
    throw new ConfigurationError(problems);
  }
  return {
    database: { url: vars.DATABASE_URL, poolSize: vars.DATABASE_POOL_SIZE },
    kafka: {
      brokers: vars.KAFKA_BROKERS?.split(',') ?? [],
      clientId: vars.KAFKA_CLIENT_ID,
      groupId: vars.KAFKA_GROUP_ID,
      topicPartitions: vars.KAFKA_TOPIC_PARTITIONS,
    },
    topics: {
      sessionCompleted: vars.TOPIC_SESSION_COMPLETED,
      sessionCompletedDlq: vars.TOPIC_SESSION_COMPLETED_DLQ,
      badgeAwarded: vars.TOPIC_BADGE_AWARDED,
      levelUp: vars.TOPIC_LEVEL_UP,
    },
    rulesFile: vars.RULES_FILE,
    outbox: { pollIntervalMs: vars.OUTBOX_POLL_INTERVAL_MS, batchSize: vars.OUTBOX_BATCH_SIZE },
    logLevel: vars.LOG_LEVEL,
    http: { host: vars.HOST, port: vars.PORT },
  };
}
