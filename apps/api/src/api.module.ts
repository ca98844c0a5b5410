import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { ApplicationModule } from '@app/application';
import { AppConfig, ConfigModule, LoggingModule } from '@app/config';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { DevTokenController } from './dev/dev-token.controller';
import { GamificationController } from './gamification/gamification.controller';
import { HealthController } from './health/health.controller';
import { HttpMetrics, HttpMetricsMiddleware } from './observability/http-metrics';
import { MetricsController } from './observability/metrics.controller';
import { RedisThrottlerStorage } from './rate-limit/redis-throttler.storage';
import { WriteRateLimitGuard } from './rate-limit/write-rate-limit.guard';
import { REDIS, RedisModule } from './redis/redis.module';

const ONE_MINUTE_MS = 60_000;

/** The HTTP app: thin controllers over the shared use cases, on the worker's database. */
@Module({})
export class ApiModule implements NestModule {
  static forRoot(env?: Readonly<Record<string, string | undefined>>): DynamicModule {
    const development = (env ?? process.env).NODE_ENV === 'development';
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot({ role: 'api', env }),
        LoggingModule.forRoot('api'),
        ApplicationModule,
        RedisModule,
        JwtModule.register({}),
        ThrottlerModule.forRootAsync({
          imports: [RedisModule],
          inject: [AppConfig, REDIS],
          useFactory: (config: AppConfig, redis: Redis) => ({
            throttlers: [{ name: 'default', ttl: ONE_MINUTE_MS, limit: config.rateLimit.writesPerMinute }],
            storage: new RedisThrottlerStorage(redis),
          }),
        }),
      ],
      controllers: [GamificationController, HealthController, MetricsController, ...(development ? [DevTokenController] : [])],
      providers: [BearerAuthGuard, WriteRateLimitGuard, HttpMetrics, HttpMetricsMiddleware],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
