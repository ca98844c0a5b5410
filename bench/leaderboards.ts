import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { loadRulesFile } from '@app/config';
import { periodContaining } from '@app/domain';
import { printProgress, recreateDatabase, runMigrations } from '@app/dev-stack';
import { BENCH_JWT_SECRET, startApi, type RunningApi } from './support/api-process';
import { boardUserId, fillBoard } from './support/leaderboard-population';
import { waitUntil } from './support/stats';
import { steadyLoad } from './support/steady-load';

export interface LeaderboardReadsOptions {
  readonly rulesFile: string;
  /** A database URL whose database this stage drops and recreates for itself. */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** The api needs a broker for its live streams, even where this stage reads only leaderboards. */
  readonly brokers: readonly string[];
  readonly users: number;
  readonly duration: number;
  /** The connection counts to measure at as fast as they go, e.g. [1, 20]. */
  readonly connections: readonly number[];
  /** Steady loads to measure the Redis reads at, requests/s, e.g. [500, 1000]. */
  readonly rates: readonly number[];
}

/** Flat out over `connections` (closed loop), or `rate` requests/s evenly spaced (open loop). */
type Load = { readonly connections: number; readonly rate?: undefined } | { readonly rate: number; readonly connections?: undefined };

const describeLoad = ({ connections, rate }: Load) =>
  rate === undefined ? `${connections} connection${connections === 1 ? '' : 's'}, flat out` : `${rate}/s, evenly spaced`;

export interface RouteFigure {
  readonly title: string;
  readonly load: string;
  readonly answeredPerSecond: number;
  readonly refusedPerSecond: number;
  readonly p50: number;
  readonly p99: number;
}

export interface LeaderboardReadsResults {
  readonly routes: RouteFigure[];
  readonly buildSeconds: number;
  readonly redisBytesPerStanding: number;
  readonly redisMegabytesPerMillion: number;
}

const BOARD = 'WEEKLY_XP';
const ms = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/**
 * GET /gamification/leaderboards/WEEKLY_XP (top 10 and around=me) on a board of `users` standings:
 * from Redis (flat out, and at a fixed rate), then from Postgres as while a rebuild runs (the board's
 * mark deleted and its build lease held by someone else, so that readers fall back and no build
 * starts; reads beyond the api's fallback slots are refused with 503), with the Redis memory the
 * board takes and the time the api takes to build it from Postgres.
 */
export async function leaderboardReads(options: LeaderboardReadsOptions, log: (line: string) => void): Promise<LeaderboardReadsResults> {
  const rules = loadRulesFile(options.rulesFile);
  const board = rules.leaderboards.find(({ code }) => code === BOARD);
  if (board === undefined) {
    throw new Error(`${options.rulesFile} has no ${BOARD} board`);
  }
  const period = periodContaining(board.period, new Date(), rules.leaderboardTimeZone);
  const prefix = `bench-lb-${process.pid}:`;
  const keys = (suffix: string) => `${prefix}lb:${BOARD}:${period.key}:${suffix}`;
  await recreateDatabase(options.databaseUrl, printProgress);
  await runMigrations(options.databaseUrl);
  const pool = new Pool({ connectionString: options.databaseUrl, max: 2 });
  const redis = new Redis(options.redisUrl, { lazyConnect: true });
  await redis.connect();
  let api: RunningApi | undefined;
  try {
    printProgress(`leaderboards: ${options.users} standings on ${BOARD} ${period.key}, written to Postgres...`);
    await fillBoard(pool, BOARD, period.key, period.start ?? new Date(0), options.users);
    api = await startApi(options.databaseUrl, { REDIS_KEY_PREFIX: prefix, RULES_FILE: options.rulesFile, KAFKA_BROKERS: options.brokers.join(',') });
    const me = boardUserId(Math.ceil(options.users / 2));
    const token = jwt.sign({ sub: me }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
    const headers = { Authorization: `Bearer ${token}` };
    const url = `${api.base}/gamification/leaderboards/${BOARD}`;

    printProgress('leaderboards: the first read starts the build of the Redis board from Postgres...');
    const buildStarted = Date.now();
    const first = await fetch(url, { headers });
    if (!first.ok) {
      throw new Error(`GET ${url}: ${first.status} ${await first.text()}`);
    }
    await waitUntil('the Redis board to be built', async () => (await redis.exists(keys('built'))) === 1 && (await redis.exists(keys('building'))) === 0, 600_000, 100);
    const buildSeconds = (Date.now() - buildStarted) / 1000;
    const rankingBytes = Number(await redis.memory('USAGE', keys('ranking'), 'SAMPLES', '0'));
    const standingsBytes = Number(await redis.memory('USAGE', keys('standings'), 'SAMPLES', '0'));
    const redisBytesPerStanding = (rankingBytes + standingsBytes) / options.users;

    const routes: RouteFigure[] = [];
    const measure = async (source: string, loads: readonly Load[]) => {
      for (const [what, query] of [['top 10', ''], ['around=me', '?around=me']] as const) {
        for (const load of loads) {
          const title = `${what}, ${source}`;
          printProgress(`leaderboards: ${title}, ${describeLoad(load)} for ${options.duration} s...`);
          if (load.rate !== undefined) {
            const steady = await steadyLoad(`${url}${query}`, headers, load.rate, options.duration);
            const perSecond = (count: number) => count / options.duration;
            routes.push({ title, load: describeLoad(load), answeredPerSecond: perSecond(steady.answered), refusedPerSecond: perSecond(steady.refused), p50: steady.p50, p99: steady.p99 });
            continue;
          }
          const result = await autocannon({ url: `${url}${query}`, connections: load.connections, duration: options.duration, headers });
          const refused = result.statusCodeStats?.['503']?.count ?? 0;
          if (result.non2xx > refused || result.errors > 0) {
            throw new Error(`${title}: ${result.non2xx - refused} answers neither 2xx nor 503, and ${result.errors} errors`);
          }
          routes.push({
            title,
            load: describeLoad(load),
            answeredPerSecond: result['2xx'] / options.duration,
            refusedPerSecond: refused / options.duration,
            p50: result.latency.p50,
            p99: result.latency.p99,
          });
        }
      }
    };
    await measure('Redis', [...options.connections.map((connections) => ({ connections })), ...options.rates.map((rate) => ({ rate }))]);
    // As during a rebuild: the mark gone, the lease held by another builder.
    await redis.del(keys('built'));
    await redis.set(keys('building'), 'bench', 'PX', 3_600_000);
    await measure('Postgres (board being rebuilt)', options.connections.map((connections) => ({ connections })));

    log('');
    log(`Leaderboard reads: ${options.users} standings on ${BOARD} ${period.key}; autocannon, ${options.duration} s each; api, Postgres and Redis on this machine`);
    log('| request | load | answered/s | refused (503)/s | p50 ms | p99 ms |');
    log('| --- | --- | ---: | ---: | ---: | ---: |');
    for (const route of routes) {
      log(`| ${route.title} | ${route.load} | ${route.answeredPerSecond.toFixed(0)} | ${route.refusedPerSecond.toFixed(0)} | ${ms(route.p50)} | ${ms(route.p99)} |`);
    }
    log(`build of the Redis board from Postgres (first read to built): ${buildSeconds.toFixed(1)} s`);
    log(`Redis memory (MEMORY USAGE of ranking + standings): ${redisBytesPerStanding.toFixed(0)} B per standing, ${((redisBytesPerStanding * 1_000_000) / 2 ** 20).toFixed(0)} MiB per 1M`);
    return { routes, buildSeconds, redisBytesPerStanding, redisMegabytesPerMillion: (redisBytesPerStanding * 1_000_000) / 2 ** 20 };
  } finally {
    await api?.stop();
    const stale = await redis.keys(`${prefix}*`);
    if (stale.length > 0) {
      await redis.del(...stale);
    }
    redis.disconnect();
    await pool.end();
  }
}
