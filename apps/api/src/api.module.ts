import { Module, type DynamicModule } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { ApplicationModule } from '@app/application';
import { AppConfig, ConfigModule, LoggingModule } from '@app/config';
import { REDIS, RedisModule } from '@app/persistence';
import { RulesAdminController } from './admin/rules-admin.controller';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { BearerTokens } from './auth/bearer-tokens';
import { IdentityProviderKeys } from './auth/identity-provider-keys';
import { jwtOptions } from './auth/jwt-options';
import { DevTokenController } from './dev/dev-token.controller';
import { GamificationController } from './gamification/gamification.controller';
import { HealthController } from './health/health.controller';
import { LeaderboardsController } from './leaderboards/leaderboards.controller';
import { HttpMetrics } from './observability/http-metrics';
import { ObservabilityModule } from './observability/observability.module';
import { RedisThrottlerStorage } from './rate-limit/redis-throttler.storage';
import { WriteRateLimitGuard } from './rate-limit/write-rate-limit.guard';
import { AsyncApiController } from './asyncapi/asyncapi.controller';
import { BadgeSigningKey } from './open-badges/badge-signing-key';
import { OpenBadgesController } from './open-badges/open-badges.controller';
import { LiveEvents } from './stream/live-events';
import { StreamController } from './stream/stream.controller';

const ONE_MINUTE_MS = 60_000;

/** The HTTP app: thin controllers over the shared use cases, on the worker's database. */
@Module({})
export class ApiModule {
  static forRoot(env?: Readonly<Record<string, string | undefined>>): DynamicModule {
    const development = (env ?? process.env).NODE_ENV === 'development';
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot({ role: 'api', env }),
        LoggingModule.forRoot('api'),
        ApplicationModule,
        ObservabilityModule,
        RedisModule,
        JwtModule.registerAsync({ inject: [AppConfig], useFactory: jwtOptions }),
        ThrottlerModule.forRootAsync({
          imports: [RedisModule, ObservabilityModule],
          inject: [AppConfig, REDIS, HttpMetrics],
          useFactory: (config: AppConfig, redis: Redis, metrics: HttpMetrics) => ({
            throttlers: [{ name: 'default', ttl: ONE_MINUTE_MS, limit: config.rateLimit.writesPerMinute }],
            storage: new RedisThrottlerStorage(redis, metrics.registry),
          }),
        }),
      ],
      controllers: [GamificationController, OpenBadgesController, StreamController, LeaderboardsController, RulesAdminController, HealthController, AsyncApiController, ...(development ? [DevTokenController] : [])],
      providers: [BearerAuthGuard, BearerTokens, IdentityProviderKeys, WriteRateLimitGuard, LiveEvents, BadgeSigningKey],
    };
  }
}
