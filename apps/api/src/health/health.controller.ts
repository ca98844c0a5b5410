import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type Redis from 'ioredis';
import { DatabaseHealth, REDIS } from '@app/persistence';
import { ApiError } from '../errors/api-error';
import { ErrorResponse } from '../errors/error.response';
import { LiveEvents } from '../stream/live-events';
import { LivenessResponse, ReadinessResponse } from './dto/health.response';

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
    private readonly liveEvents: LiveEvents,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ type: LivenessResponse })
  live(): LivenessResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: the database and Redis answer; whether the live streams are fed' })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'NOT_READY, saying which of the database and Redis is up and which down' })
  async ready(): Promise<ReadinessResponse> {
    const [database, redis] = await Promise.all([
      check(() => this.database.ping()),
      check(() => this.redis.ping()),
    ]);
    if (!database || !redis) {
      const state = (up: boolean) => (up ? 'up' : 'down');
      throw new ApiError(503, 'NOT_READY', `Not ready: database ${state(database)}, redis ${state(redis)}.`);
    }
    return { status: 'ready', database: 'up', redis: 'up', stream: this.liveEvents.isLive() ? 'up' : 'down' };
  }
}
