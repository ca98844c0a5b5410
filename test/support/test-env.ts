import { randomUUID } from 'node:crypto';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) {
    throw new Error(`${name} is not set: run the integration tests through jest, whose global set-up provides it`);
  }
  return value;
}

/** Settings for a worker with topics and a consumer group of its own, on the test broker and database. */
export function workerTestEnv(suffix = randomUUID().slice(0, 8)) {
  return {
    DATABASE_URL: requiredEnv('TEST_DATABASE_URL'),
    DATABASE_POOL_SIZE: '12',
    KAFKA_BROKERS: requiredEnv('TEST_KAFKA_BROKERS'),
    KAFKA_CLIENT_ID: `test-worker-${suffix}`,
    KAFKA_GROUP_ID: `test-worker-${suffix}`,
    KAFKA_TOPIC_PARTITIONS: '3',
    TOPIC_SESSION_COMPLETED: `session.completed.${suffix}`,
    TOPIC_SESSION_COMPLETED_DLQ: `session.completed.dlq.${suffix}`,
    TOPIC_BADGE_AWARDED: `badge.awarded.${suffix}`,
    TOPIC_LEVEL_UP: `level.up.${suffix}`,
    TOPIC_STREAK_AT_RISK: `streak.at_risk.${suffix}`,
    TOPIC_STREAK_FROZEN: `streak.frozen.${suffix}`,
    TOPIC_STREAK_LOST: `streak.lost.${suffix}`,
    TOPIC_LEADERBOARD_FINISHED: `leaderboard.finished.${suffix}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    // The boards of each test's database stay apart in the one Redis the tests share.
    REDIS_KEY_PREFIX: `test-${suffix}:`,
    // The sweep runs at start and then hourly: files on the shared database do not get each other's
    // streak notices mid-test. The streak tests sweep when they move their own clock.
    STREAK_SWEEP_INTERVAL_MS: '3600000',
    OUTBOX_POLL_INTERVAL_MS: '50',
    WORKER_HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
  };
}

/**
 * A database of its own on the test server, for a file whose tests read every user or change the
 * rules in force: what it does must not reach, or be reached by, the other files' users.
 */
export function ownDatabaseUrl(name: string): string {
  const url = new URL(requiredEnv('TEST_DATABASE_URL'));
  url.pathname = `/${name}`;
  return url.toString();
}
