import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type Redis from 'ioredis';
import { DatabaseHealth, REDIS } from '@app/persistence';
import { ApiError } from '../errors/api-error';
import { ErrorResponse } from '../errors/error.response';

async function check(probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch {
    return false;
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: DatabaseHealth,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Liveness: the process is up and serving HTTP. */
  @Get()
  @ApiOkResponse({ description: 'the process is up', schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database and Redis answer. */
  @Get('ready')
  @ApiOkResponse({ description: 'ready', schema: { example: { status: 'ready', database: 'up', redis: 'up' } } })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'NOT_READY, saying which of the database and Redis is up and which down' })
  async ready(): Promise<{ status: 'ready'; database: 'up'; redis: 'up' }> {
    const [database, redis] = await Promise.all([
      check(() => this.database.ping()),
      check(() => this.redis.ping()),
    ]);
    if (!database || !redis) {
      const state = (up: boolean) => (up ? 'up' : 'down');
      throw new ApiError(503, 'NOT_READY', `Not ready: database ${state(database)}, redis ${state(redis)}.`);
    }
    return { status: 'ready', database: 'up', redis: 'up' };
  }
}
