import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import { ensureDatabase, findOrStartKafka, printProgress, projectRoot, runMigrations } from '@app/dev-stack';
import { leaderboardReads } from './leaderboards';
import { streamBench } from './stream';
import { BENCH_JWT_SECRET, BENCH_SERVICE_KEY, startApi } from './support/api-process';

/**
 * npm run bench:api — requests/s and latency of the api's read routes, measured with autocannon
 * against the built api on the machine's Postgres and Redis:
 * - GET /gamification/profile next to GET /health (a trivial route of the same app), in one run;
 * - GET /gamification/analytics?days=365 and GET /gamification/skills for a user with --analytics-sessions
 *   counted sessions (3,000) over the last year, at 1 and at --connections connections;
 * - the leaderboard route on a board of --leaderboard-users standings (1,000,000; 0 skips it), from
 *   Redis and from Postgres (as during a rebuild), at 1 and at --connections connections flat out,
 *   and from Redis at steady loads of --rates requests/s;
 * - GET /gamification/stream: the api's RSS with --streams open streams (1,000), and the latency from
 *   produce to arrival of --stream-events events (1,000) at --stream-rate per second (100); 0 skips it.
 * The api tails the topics for its streams, so a broker is started (or KAFKA_BROKERS used).
 * Flags: --duration seconds (10), --connections (20), --analytics-sessions (3000), --leaderboard-users (1000000),
 * --rates (500,1000), --streams (1000), --stream-events (1000), --stream-rate (100).
 */
const args = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const duration = Number(args.get('duration') ?? 10);
const connections = Number(args.get('connections') ?? 20);
const leaderboardUsers = Number(args.get('leaderboard-users') ?? 1_000_000);
const analyticsSessions = Number(args.get('analytics-sessions') ?? 3000);
const rates = (args.get('rates') ?? '500,1000').split(',').map(Number);
const streams = Number(args.get('streams') ?? 1000);
const streamEvents = Number(args.get('stream-events') ?? 1000);
const streamRate = Number(args.get('stream-rate') ?? 100);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gamification';
const leaderboardUrl = new URL(DATABASE_URL);
leaderboardUrl.pathname = '/gamification_bench_leaderboard';

async function run(title: string, url: string, headers: Record<string, string>, load = connections) {
  printProgress(`${title}: ${load} connections for ${duration} s...`);
  const result = await autocannon({ url, connections: load, duration, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${title}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return { title, requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function profileReads(brokers: readonly string[]): Promise<void> {
  await ensureDatabase(DATABASE_URL, printProgress);
  await runMigrations(DATABASE_URL);
  const api = await startApi(DATABASE_URL, { KAFKA_BROKERS: brokers.join(',') });
  try {
    const userId = `bench-${randomUUID().slice(0, 8)}`;
    for (let day = 0; day < 20; day += 1) {
      const completedAt = new Date(Date.now() - day * 86_400_000 - 60_000).toISOString();
      const response = await fetch(`${api.base}/gamification/sync-progress`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${BENCH_SERVICE_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ eventId: randomUUID(), userId, sessionId: `s-${day}`, completedAt, durationSeconds: 1500, score: 70 + day, timezone: 'UTC' }),
      });
      if (!response.ok) {
        throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
      }
    }
    const token = jwt.sign({ sub: userId }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
    const results = [
      await run('GET /health (trivial route)', `${api.base}/health`, {}),
      await run('GET /gamification/profile', `${api.base}/gamification/profile`, { Authorization: `Bearer ${token}` }),
    ];
    const practice = [];
    if (analyticsSessions > 0) {
      const practised = await seedYearOfPractice(analyticsSessions);
      const auth = { Authorization: `Bearer ${jwt.sign({ sub: practised }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}` };
      for (const load of [...new Set([1, connections])]) {
        practice.push({ load, result: await run(`GET /gamification/analytics?days=365, ${analyticsSessions} sessions`, `${api.base}/gamification/analytics?days=365`, auth, load) });
        practice.push({ load, result: await run(`GET /gamification/skills, ${analyticsSessions} sessions`, `${api.base}/gamification/skills`, auth, load) });
      }
    }
    console.log(`\nautocannon, ${connections} connections, ${duration} s each, api and Postgres and Redis on this machine:`);
    console.log('| route | requests/s | p50 ms | p99 ms |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const result of results) {
      console.log(`| ${result.title} | ${result.requestsPerSecond.toFixed(0)} | ${result.p50} | ${result.p99} |`);
    }
    console.log(`profile ÷ trivial route: ${(results[1].requestsPerSecond / results[0].requestsPerSecond).toFixed(2)} of the requests/s`);
    if (practice.length > 0) {
      console.log(`\nautocannon, ${duration} s each, a user with ${analyticsSessions} counted sessions over the last year (Europe/Berlin):`);
      console.log('| route | connections | requests/s | p50 ms | p99 ms |');
      console.log('| --- | ---: | ---: | ---: | ---: |');
      for (const { load, result } of practice) {
        console.log(`| ${result.title.split(',')[0]} | ${load} | ${result.requestsPerSecond.toFixed(0)} | ${result.p50} | ${result.p99} |`);
      }
    }
  } finally {
    await api.stop();
  }
}

/**
 * A user with `sessions` counted sessions spread evenly over the last year, written set-based as the
 * engine records them (facts with zone, local date, duration, score on four in five, one skill each),
 * and a profile in Europe/Berlin.
 */
async function seedYearOfPractice(sessions: number): Promise<string> {
  const userId = `bench-practice-${randomUUID().slice(0, 8)}`;
  printProgress(`seeding ${sessions} sessions over a year for ${userId}...`);
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`INSERT INTO user_profiles (user_id, timezone) VALUES ($1, 'Europe/Berlin')`, [userId]);
    await client.query(
      `INSERT INTO processed_events (event_id, user_id, session_id, source, outcome, xp_awarded, practice_date, processed_at,
         completed_at, zone, local_date, duration_seconds, score, skills, rules_version)
       SELECT $1 || '-' || g, $1, 's-' || g, 'kafka', 'counted', 100 + g % 50, (t.at AT TIME ZONE 'Europe/Berlin')::date, t.at,
         t.at, 'Europe/Berlin', (t.at AT TIME ZONE 'Europe/Berlin')::date, 600 + (g % 7) * 300,
         CASE WHEN g % 5 = 0 THEN NULL ELSE 50 + g % 50 END,
         ARRAY[(ARRAY['arrays', 'graphs', 'databases', 'caching', 'leadership', 'communication'])[1 + g % 6]], NULL
       FROM generate_series(1, $2::int) AS g, LATERAL (SELECT now() - g * (interval '365 days' / $2::int) AS at) AS t`,
      [userId, sessions],
    );
  } finally {
    await client.end();
  }
  return userId;
}

async function main(): Promise<void> {
  const kafka = await findOrStartKafka({ brokers: process.env.KAFKA_BROKERS, progress: printProgress });
  try {
    await profileReads(kafka.brokers);
    if (streamEvents > 0) {
      const result = await streamBench({ databaseUrl: DATABASE_URL, brokers: kafka.brokers, streams, events: streamEvents, rate: streamRate });
      console.log(`\nGET /gamification/stream: ${result.streams} streams open, ${result.events} events produced at ${streamRate}/s, each to one stream:`);
      console.log('| measure | value |');
      console.log('| --- | ---: |');
      console.log(`| latency from produce to arrival, p50 / p99 / max | ${result.latencyP50Ms.toFixed(1)} / ${result.latencyP99Ms.toFixed(1)} / ${result.latencyMaxMs.toFixed(1)} ms |`);
      console.log(`| api RSS, no stream open / ${result.streams} streams open | ${result.rssIdleMb.toFixed(0)} / ${result.rssWithStreamsMb.toFixed(0)} MB |`);
    }
    if (leaderboardUsers > 0) {
      await leaderboardReads(
        {
          rulesFile: join(projectRoot(), 'config', 'rules.yaml'),
          databaseUrl: leaderboardUrl.toString(),
          redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          brokers: kafka.brokers,
          users: leaderboardUsers,
          duration,
          connections: [...new Set([1, connections])],
          rates,
        },
        (line) => console.log(line),
      );
    }
  } finally {
    await kafka.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`benchmark failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
