import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import jwt, { type SignOptions } from 'jsonwebtoken';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { appEntry, freePort, projectRoot } from '@app/dev-stack';
import { createTopicsWithLeaders } from '@app/messaging';
import { createDataSource } from '@app/persistence';
import { eventually } from '@app/testing';
import type { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/src/api';
import { requiredEnv } from './test-env';

export const TEST_JWT_SECRET = 'integration-tests-hs256-secret-0123456789';
export const TEST_SERVICE_KEY = 'integration-tests-service-key-0123456789abcdef';
/** The badge credentials' signing key of the production-mode api processes: one per test file. */
export const TEST_OB_SIGNING_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** The real api app (the one main.ts serves) on the test database and the machine's Redis. */
export class ApiHarness {
  private constructor(
    readonly app: INestApplication,
    readonly dataSource: DataSource,
  ) {}

  static async start(overrides: Record<string, string> = {}): Promise<ApiHarness> {
    const suffix = randomUUID().slice(0, 8);
    const databaseUrl = process.env.TEST_DATABASE_URL ?? '';
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      JWT_SECRET: TEST_JWT_SECRET,
      SERVICE_API_KEY: TEST_SERVICE_KEY,
      KAFKA_BROKERS: requiredEnv('TEST_KAFKA_BROKERS'),
      KAFKA_CLIENT_ID: `test-api-${suffix}`,
      TOPIC_BADGE_AWARDED: `badge.awarded.${suffix}`,
      TOPIC_LEVEL_UP: `level.up.${suffix}`,
      TOPIC_STREAK_AT_RISK: `streak.at_risk.${suffix}`,
      TOPIC_STREAK_FROZEN: `streak.frozen.${suffix}`,
      TOPIC_STREAK_LOST: `streak.lost.${suffix}`,
      REDIS_KEY_PREFIX: `test-${suffix}:`,
      LOG_LEVEL: 'warn',
      ...overrides,
    };
    // The topics the live streams tail, as a worker would have created them.
    await createTopics(env.KAFKA_BROKERS, [env.TOPIC_BADGE_AWARDED, env.TOPIC_LEVEL_UP, env.TOPIC_STREAK_AT_RISK, env.TOPIC_STREAK_FROZEN, env.TOPIC_STREAK_LOST]);
    const app = await createApi(env);
    const dataSource = createDataSource({ url: databaseUrl, poolSize: 2 }, 'gamification-tests');
    await dataSource.initialize();
    return new ApiHarness(app, dataSource);
  }

  http(): ReturnType<typeof request> {
    return request(this.app.getHttpServer());
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.dataSource.destroy();
  }
}

/**
 * The built api as a real process, started the way `npm run start:api` starts it, for what only a
 * process shows: its log output (stdout, kept line by line) and its life beside failing dependencies.
 */
export class ApiProcess {
  private readonly stdout: string[] = [];
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly base: string,
  ) {
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      this.stdout.push(...lines);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  /** Starts the built api (the global set-up builds it); resolves when it is live. */
  static async start(overrides: Record<string, string> = {}): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [appEntry('api')], {
      cwd: projectRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
        REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
        KAFKA_BROKERS: requiredEnv('TEST_KAFKA_BROKERS'),
        JWT_SECRET: TEST_JWT_SECRET,
        SERVICE_API_KEY: TEST_SERVICE_KEY,
        OB_SIGNING_KEY: TEST_OB_SIGNING_KEY,
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        ...overrides,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(child, `http://127.0.0.1:${port}`);
    await eventually(`api ${child.pid} to be live`, async () => {
      if (child.exitCode !== null) {
        throw new Error(`the api exited with ${child.exitCode}:\n${api.output}`);
      }
      const response = await fetch(`${api.base}/health`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    });
    return api;
  }

  /** Every line the process wrote to stdout so far: its log. */
  get logLines(): readonly string[] {
    return this.stdout;
  }

  /** Everything the process wrote, stdout and stderr. */
  get output(): string {
    return `${this.stdout.join('\n')}\n${this.stderr}`;
  }

  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.base}${path}`, init);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
  }
}

async function createTopics(brokers: string, topics: readonly string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'api-harness', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, topics.map((topic) => ({ topic, numPartitions: 3 })));
  } finally {
    await admin.disconnect();
  }
}

/** An HS256 token as the identity provider would issue it. */
export function tokenFor(userId: string, claims: Record<string, unknown> = {}, options: SignOptions = {}): string {
  return jwt.sign({ sub: userId, ...claims }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '10m', ...options });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
