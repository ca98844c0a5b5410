import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type Redis from 'ioredis';
import { DatabaseHealth, REDIS } from '@app/persistence';
import { IdentityProviderKeys } from '../auth/identity-provider-keys';
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
    private readonly providerKeys: IdentityProviderKeys,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ type: LivenessResponse })
  live(): LivenessResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: the database and Redis answer, and the identity provider\'s keys are held when one is configured; whether the live streams are fed',
  })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'NOT_READY, saying which of the database, Redis and the identity provider is up and which down' })
  async ready(): Promise<ReadinessResponse> {
    const [database, redis, provider] = await Promise.all([
      check(() => this.database.ping()),
      check(() => this.redis.ping()),
      this.providerKeys.enabled ? this.providerKeys.state() : null,
    ]);
    const state = (up: boolean) => (up ? 'up' : 'down');
    if (!database || !redis || provider?.keysHeld === false) {
      // Why the provider failed is in the log: the answer here is public and names no internal host.
      const keys = provider === null ? '' : `, identity provider ${provider.keysHeld ? provider.provider : 'down with no signing keys held'}`;
      throw new ApiError(503, 'NOT_READY', `Not ready: database ${state(database)}, redis ${state(redis)}${keys}.`);
    }
    return {
      status: 'ready',
      database: 'up',
      redis: 'up',
      stream: this.liveEvents.isLive() ? 'up' : 'down',
      ...(provider === null ? {} : { identityProvider: provider.provider }),
    };
  }
}
