import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { Counter, type Registry } from 'prom-client';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// One round trip: count the hit in a fixed window that starts with the first hit, and report the window's rest.
const COUNT_HIT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }
`;

/**
 * Rate-limit counters in Redis, so that every api instance sharing the Redis shares the limits.
 * If Redis cannot be reached the request is let through (fail open): a limiter outage must not take
 * writes down. Each such request is logged and counted, so that the outage is seen all the same.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly unavailable: Counter;

  constructor(
    private readonly redis: Redis,
    registry: Registry,
  ) {
    this.unavailable = new Counter({
      name: 'rate_limit_unavailable_total',
      help: 'Write requests let through without rate limiting because Redis could not be reached',
      registers: [registry],
    });
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    try {
      const [hits, remainingMs] = (await this.redis.eval(COUNT_HIT, 1, `rate-limit:${key}`, ttl)) as [number, number];
      const timeToExpire = Math.max(1, Math.ceil(Math.max(remainingMs, 0) / 1000));
      return { totalHits: hits, timeToExpire, isBlocked: hits > limit, timeToBlockExpire: hits > limit ? timeToExpire : 0 };
    } catch (error) {
      this.unavailable.inc();
      this.logger.warn(`rate limiting skipped, Redis unavailable: ${(error as Error).message}`);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
