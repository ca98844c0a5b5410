import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import jwt, { type SignOptions } from 'jsonwebtoken';
import request from 'supertest';
import { createDataSource } from '@app/persistence';
import type { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/src/api';

export const TEST_JWT_SECRET = 'integration-tests-hs256-secret-0123456789';
export const TEST_SERVICE_KEY = 'integration-tests-service-key-0123456789abcdef';

/** The real api app (the one main.ts serves) on the test database and the machine's Redis. */
export class ApiHarness {
  private constructor(
    readonly app: INestApplication,
    readonly dataSource: DataSource,
  ) {}

  static async start(overrides: Record<string, string> = {}): Promise<ApiHarness> {
    const suffix = randomUUID().slice(0, 8);
    const databaseUrl = process.env.TEST_DATABASE_URL ?? '';
    const app = await createApi({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      JWT_SECRET: TEST_JWT_SECRET,
      SERVICE_API_KEY: TEST_SERVICE_KEY,
      TOPIC_BADGE_AWARDED: `badge.awarded.${suffix}`,
      TOPIC_LEVEL_UP: `level.up.${suffix}`,
      LOG_LEVEL: 'warn',
      ...overrides,
    });
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

/** An HS256 token as the identity provider would issue it. */
export function tokenFor(userId: string, claims: Record<string, unknown> = {}, options: SignOptions = {}): string {
  return jwt.sign({ sub: userId, ...claims }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '10m', ...options });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
