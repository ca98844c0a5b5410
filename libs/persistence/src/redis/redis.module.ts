import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@app/config';

/** The Redis client, or null in a process configured without one (the operator's commands may be). */
export const REDIS = Symbol('REDIS');

// A healthy Redis answers in about a millisecond; one that hangs (stopped, partitioned) must cost a
// request at most this much before the request goes on without it.
const COMMAND_TIMEOUT_MS = 500;

function connect(url: string): Redis {
  const logger = new Logger('Redis');
  // Commands fail at once while Redis is away instead of queueing, and after COMMAND_TIMEOUT_MS
  // when it does not answer: callers decide what that means.
  // Reconnection goes on in the background with ioredis's default back-off (at most 2 s).
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
  let reachable = true;
  // One warning per outage rather than one per reconnection attempt (without a listener ioredis
  // prints each failed attempt to stderr).
  redis.on('error', (error: Error) => {
    if (reachable) {
      reachable = false;
      logger.warn(`Redis unreachable, reconnecting in the background: ${error.message}`);
    }
  });
  redis.on('ready', () => {
    if (!reachable) {
      reachable = true;
      logger.log('Redis reachable again');
    }
  });
  return redis;
}

@Global()
@Module({
  providers: [{ provide: REDIS, inject: [AppConfig], useFactory: (config: AppConfig) => (config.redis.url === null ? null : connect(config.redis.url)) }],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis?.disconnect();
  }
}
