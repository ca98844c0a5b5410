import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { Pool } from 'pg';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadRulesFile } from '@app/config';
import { appEntry, findOrStartKafka, KAFKA_VERSION, printProgress, projectRoot, recreateDatabase } from '@app/dev-stack';
import { createDataSource } from '@app/persistence';
import { runNaiveConsumer } from './naive/naive-consumer';
import { rulesRecompute } from './rules-recompute';
import { streakSweep } from './streak-sweep';
import { batchedStoreCeiling } from './support/batched-store-ceiling';
import { cpuSecondsBetween, cpuSnapshot, mainThreadCpuSeconds } from './support/cpu-usage';
import { firstSessionEvent, sessionEvents, uniqueCount } from './support/events';
import { benchKafka, connectedProducer, createTopics, produceAll } from './support/kafka';
import { StatementProfile, type StatementCost } from './support/statement-profile';
import { percentile, rate, waitUntil } from './support/stats';
import { startWorker, type WorkerProcess } from './support/worker-process';

/**
 * npm run bench — throughput, latency and memory of the engine next to honest baselines, on the
 * real broker, database and Redis the demo uses. Prints a table and writes bench/results/latest.json.
 * Flags: --events=20000 --naive-events=5000 --users=10000 --hot-users=100 --rate=500 --latency-seconds=20
 * --sweep-users=1000000 --sweep-due=10000 --sweep-backlog=2 (the streak sweep stage; --sweep-users=0 skips it;
 * --sweep-backlog: tenths of the due users owing three notices, as after an outage, 0 to 5)
 * --rules-users=100000 --rules-sessions=20 (the rules recompute stage; --rules-users=0 skips it)
 * --without=leaderboards also compares, in the stream stages, this build with the shipped rules and
 * with those rules minus the feature's keys (its cost, in the same run)
 * --rounds=4: turns of each contender in the same-run comparisons (more turns, a steadier median)
 * --only=stream|streak-sweep|rules-recompute runs one part alone: the event stream stages (1 to 6),
 * the streak sweep (7) or the rules recompute (8); e.g. npx tsx bench/run.ts --only=streak-sweep
 * (build the worker first: npx nest build worker).
 */
const root = projectRoot();
const flags = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const flag = (name: string, fallback: number) => Number(flags.get(name) ?? fallback);
const EVENTS = flag('events', 20_000);
const NAIVE_EVENTS = flag('naive-events', 5_000);
const USERS = flag('users', 10_000);
const HOT_USERS = flag('hot-users', 100);
const RATE = flag('rate', 500);
const LATENCY_SECONDS = flag('latency-seconds', 20);
const RULES_USERS = flag('rules-users', 100_000);
const RULES_SESSIONS = flag('rules-sessions', 20);
const SWEEP_USERS = flag('sweep-users', 1_000_000);
const SWEEP_DUE = flag('sweep-due', 10_000);
const SWEEP_BACKLOG = flag('sweep-backlog', 2);
const PARTS = ['stream', 'streak-sweep', 'rules-recompute'] as const;
const ONLY = flags.get('only');
const runs = (part: (typeof PARTS)[number]) => ONLY === undefined || ONLY === part;
const STREAM = runs('stream');
const SWEEP = runs('streak-sweep') && SWEEP_USERS > 0;
const RULES = runs('rules-recompute') && RULES_USERS > 0;
const PARTITIONS = 6;
const run = randomUUID().slice(0, 6);
const adminUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gamification');
const benchUrl = new URL(adminUrl);
benchUrl.pathname = '/gamification_bench';
const DATABASE_URL = benchUrl.toString();
const rulesUrl = new URL(adminUrl);
rulesUrl.pathname = '/gamification_bench_rules';
const sweepUrl = new URL(adminUrl);
sweepUrl.pathname = '/gamification_bench_sweep';
const comparisonUrl = (build: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/gamification_bench_${build}`;
  return url.toString();
};
const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * BENCH_WORKER_ENTRY names another build of the worker (say, of the commit before a change): the
 * bench then also runs the many-users engine step with that build and with this one, in turns, in
 * this same run, and prints their ratio, so that the comparison does not depend on a noisy box.
 */
const BASELINE_ENTRY = process.env.BENCH_WORKER_ENTRY;
/**
 * BENCH_WORKER_NODE names another Node binary (say, the LTS: "$(bash scripts/node-lts.sh)/node"):
 * this build's worker then runs the same-run comparison under the bench's own Node and under that one.
 */
const OTHER_NODE = process.env.BENCH_WORKER_NODE;
/** --without=<feature> also compares this build with the shipped rules against the same rules with that feature off. */
const WITHOUT = flags.get('without');
const COMPARISON_ROUNDS = flag('rounds', 4);

/** A worker build and rules file that the same-run comparisons put side by side. */
interface Contender {
  readonly name: string;
  readonly entry: string;
  /** RULES_FILE for it; the shipped rules of the build's own project when absent. */
  readonly rulesFile?: string;
  /** The Node binary that runs it; the bench's own when absent. */
  readonly node?: string;
}

type EngineRun = (label: string, users: number, suffix: string, worker: WorkerProcess, database: Pool) => Promise<number>;

/**
 * The many-users engine step for two contenders in turns, in this run: the median events/s of each.
 * Each has a new database of its own: a build records the rules of its own commit (or its RULES_FILE)
 * as the version in force, which another may not be able to read, and neither works on tables the
 * stages before have grown.
 */
async function compareTurns(brokers: readonly string[], engineRun: EngineRun, contenders: readonly [Contender, Contender]): Promise<[number, number]> {
  const databases = contenders.map(({ name }) => comparisonUrl(name));
  for (const url of databases) {
    await recreateDatabase(url, printProgress);
  }
  const pools = databases.map((url) => new Pool({ connectionString: url, max: 2 }));
  const rates: [number[], number[]] = [[], []];
  try {
    for (let round = 1; round <= COMPARISON_ROUNDS; round += 1) {
      // The order alternates (ABBA…): each turn leaves the database a little larger, and the
      // contender that always went second would pay for it.
      for (const index of round % 2 === 1 ? [0, 1] : [1, 0]) {
        const { name, entry, rulesFile, node } = contenders[index];
        // Each turn has users of its own (the suffix names them): a newer build recomputes a user
        // whose profile an older build left without a rules version, and would pay for that.
        const suffix = `${run}c${round}${name}`;
        // Autovacuum is off on the bench machines: each turn starts from fresh statistics and no dead
        // rows, as a database with autovacuum would, rather than from whatever the turns before left.
        await pools[index].query('VACUUM ANALYZE');
        const worker = await startWorker({ brokers, topicSuffix: suffix, entry, databaseUrl: databases[index], rulesFile, node, partitions: PARTITIONS });
        rates[index].push(await engineRun(`same-run comparison, round ${round}/${COMPARISON_ROUNDS}, ${name}`, USERS, suffix, worker, pools[index]));
        await worker.stop();
      }
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
  return [median(rates[0]), median(rates[1])];
}

/** The rules keys of each feature that --without can turn off: a rules file without them has the feature off. */
const FEATURE_KEYS: Record<string, readonly string[]> = {
  leaderboards: ['leaderboards', 'leaderboardTimeZone', 'leaderboardGraceHours'],
};

/** The shipped rules file without a feature's keys, written under .cache/bench/. */
function rulesWithout(feature: string): string {
  const rules = parseYaml(readFileSync(join(root, 'config', 'rules.yaml'), 'utf8')) as Record<string, unknown>;
  for (const key of FEATURE_KEYS[feature]) {
    delete rules[key];
  }
  const file = join(root, '.cache', 'bench', `rules-without-${feature}.yaml`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringifyYaml(rules));
  return file;
}

/** Where the database's time went in the many-users engine stage, by stage; empty without pg_stat_statements. */
let statementCosts: StatementCost[] = [];
/** CPU seconds by process in the same stage. */
let cpuSeconds: Record<string, number> = {};
/** Where the worker's time went in the same stage, by its own stage counters. */
let stageSeconds: Array<{ stage: string; seconds: number }> = [];

/** Stages 1 to 6: the event stream through the pipe, the store, the naive baseline and the engine (which fills the three above). */
async function streamStages(brokers: readonly string[]): Promise<Record<string, number>> {
  const kafka = benchKafka(brokers);
  const producer = await connectedProducer(kafka);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 10 });
  const results: Record<string, number> = {};
  try {
    await recreateDatabase(DATABASE_URL, printProgress);

    printProgress('1/8 pipe ceiling: kafkajs consuming pre-produced messages, doing nothing...');
    const pipeTopic = `bench.pipe.${run}`;
    await createTopics(kafka, [pipeTopic], PARTITIONS);
    await produceAll(producer, pipeTopic, sessionEvents(EVENTS, USERS, `pipe-${run}`), printProgress);
    const pipeConsumer = kafka.consumer({ groupId: `bench-pipe-${run}` });
    await pipeConsumer.connect();
    await pipeConsumer.subscribe({ topic: pipeTopic, fromBeginning: true });
    let piped = 0;
    let pipeStart = 0;
    // The clock starts when the group has assigned the partitions, so that joining is not counted.
    pipeConsumer.on(pipeConsumer.events.GROUP_JOIN, () => {
      pipeStart = Date.now();
    });
    await pipeConsumer.run({
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        piped += batch.messages.length;
      },
    });
    await waitUntil('the pipe consumer', async () => piped >= EVENTS, 120_000, 10);
    results.pipeEventsPerSecond = rate(EVENTS, Date.now() - pipeStart);
    await pipeConsumer.disconnect();

    printProgress('2/8 store ceiling: single-row upsert transactions through pg, 8 connections...');
    await pool.query('CREATE TABLE IF NOT EXISTS bench_upserts (id text PRIMARY KEY, n integer NOT NULL)');
    let next = 0;
    const storeStart = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const client = await pool.connect();
        try {
          while (next < EVENTS) {
            const id = `u-${next % USERS}`;
            next += 1;
            await client.query('BEGIN');
            await client.query('INSERT INTO bench_upserts (id, n) VALUES ($1, 1) ON CONFLICT (id) DO UPDATE SET n = bench_upserts.n + 1', [id]);
            await client.query('COMMIT');
          }
        } finally {
          client.release();
        }
      }),
    );
    results.storeTransactionsPerSecond = rate(EVENTS, Date.now() - storeStart);

    printProgress(`3/8 naive baseline: one TypeORM transaction per event, ${NAIVE_EVENTS} events...`);
    const naiveTopic = `bench.naive.${run}`;
    await createTopics(kafka, [naiveTopic], PARTITIONS);
    await produceAll(producer, naiveTopic, sessionEvents(NAIVE_EVENTS, USERS, `naive-${run}`), printProgress);
    const dataSource = createDataSource({ url: DATABASE_URL, poolSize: 4 }, 'bench-naive');
    await dataSource.initialize();
    const naiveMs = await runNaiveConsumer({
      kafka,
      topic: naiveTopic,
      dataSource,
      rules: loadRulesFile(join(root, 'config', 'rules.yaml')),
      topics: { badgeAwarded: `bench.naive.badge.${run}`, levelUp: `bench.naive.level.${run}` },
      expected: NAIVE_EVENTS,
    });
    await dataSource.destroy();
    results.naiveEventsPerSecond = rate(NAIVE_EVENTS, naiveMs);

    const engineRun = async (label: string, users: number, suffix: string, worker: WorkerProcess, database: Pool = pool) => {
      const prefix = `${suffix}-u`;
      const events = sessionEvents(EVENTS, users, prefix);
      const unique = uniqueCount(events);
      printProgress(`${label}: ${EVENTS} events (${unique} unique) over ${users} users, end to end...`);
      const started = Date.now();
      await produceAll(producer, `bench.session.completed.${suffix}`, events, printProgress);
      let appliedAt = 0;
      await waitUntil(
        'every event applied and every award published',
        async () => {
          const { rows } = await database.query(
            `SELECT (SELECT count(*)::int FROM processed_events WHERE user_id LIKE $1) AS processed,
                    (SELECT count(*)::int FROM outbox_messages WHERE message_key LIKE $1 AND sent_at IS NULL) AS unsent`,
            [`${prefix}-%`],
          );
          if (rows[0].processed === unique) {
            appliedAt ||= Date.now();
          }
          return rows[0].processed === unique && rows[0].unsent === 0;
        },
        600_000,
        100,
      );
      const elapsed = Date.now() - started;
      printProgress(
        `  all effects committed after ${((appliedAt - started) / 1000).toFixed(2)} s, all awards published after ${(elapsed / 1000).toFixed(2)} s`,
      );
      worker.peakRssMb();
      return rate(EVENTS, elapsed);
    };

    const suffixA = `${run}a`;
    const workerA = await startWorker({ brokers, topicSuffix: suffixA, databaseUrl: DATABASE_URL, partitions: PARTITIONS });
    const statements = await StatementProfile.start(pool);
    const stagesBefore = await workerA.stageSeconds();
    const cpuBefore = cpuSnapshot();
    const workerThreadBefore = mainThreadCpuSeconds(workerA.process.pid!);
    results.engineEventsPerSecond = await engineRun('4/8 engine, many users', USERS, suffixA, workerA);
    const workerThread = mainThreadCpuSeconds(workerA.process.pid!) - workerThreadBefore;
    const kind = (pid: number, command: string) =>
      pid === workerA.process.pid ? 'worker (node)' : pid === process.pid ? 'bench: producer and polling (node)' : command === 'java' ? 'Kafka broker (java)' : command.startsWith('postgres') ? 'PostgreSQL' : 'other';
    cpuSeconds = { ...cpuSecondsBetween(cpuBefore, cpuSnapshot(), kind), 'worker: its JavaScript thread alone (part of the above)': workerThread };
    results.engineMeanRunSize = await workerA.meanRunSize();
    stageSeconds = Object.entries(await workerA.stageSeconds()).map(([stage, total]) => ({ stage, seconds: total - (stagesBefore[stage] ?? 0) }));
    if (statements === null) {
      printProgress('  (no statement profile: add pg_stat_statements to the server\'s shared_preload_libraries to have one)');
    } else {
      statementCosts = await statements.costs();
    }

    // The rows that depend on decisions (badges, award messages), at the rate the engine just wrote them.
    // The event generator is seeded: every stage's stream repeats the same eventIds as often.
    results.engineUniqueEvents = uniqueCount(sessionEvents(EVENTS, USERS, `${suffixA}-u`));
    const { rows: written } = await pool.query<{ badges: number; outbox: number }>(
      `SELECT (SELECT count(*)::int FROM user_badges WHERE user_id LIKE $1) AS badges,
              (SELECT count(*)::int FROM outbox_messages WHERE message_key LIKE $1) AS outbox`,
      [`${suffixA}-u-%`],
    );
    const runSize = Math.max(1, Math.round(results.engineMeanRunSize));
    printProgress(`4b/8 batched store ceiling: the engine's rows as set-based SQL in runs of ${runSize} (the engine's mean), ${PARTITIONS} at a time...`);
    await pool.query('VACUUM ANALYZE');
    results.batchedStoreEventsPerSecond = await batchedStoreCeiling({
      pool,
      events: sessionEvents(EVENTS, USERS, `${run}ceiling-u`),
      runSize,
      concurrency: PARTITIONS,
      rowsPerEvent: { badges: written[0].badges / results.engineUniqueEvents, outbox: written[0].outbox / results.engineUniqueEvents },
      // The worker's OUTBOX_BATCH_SIZE, as it ships.
      relayBatch: 2_000,
    });

    printProgress(`5/8 latency: ${RATE} events/s for ${LATENCY_SECONDS} s, produce → badge.awarded consumed...`);
    // Autovacuum is off on the bench machines: stages 5 and 6 start, as stage 4b does, from fresh
    // statistics and no dead rows, rather than from what 4b's ceiling and the latency stage left.
    await pool.query('VACUUM ANALYZE');
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const awards = kafka.consumer({ groupId: `bench-awards-${run}` });
    await awards.connect();
    await awards.subscribe({ topic: `bench.badge.awarded.${suffixA}`, fromBeginning: false });
    await awards.run({
      eachMessage: async ({ message }) => {
        const award = JSON.parse(message.value?.toString() ?? '{}') as { sourceEventId?: string };
        const sent = sentAt.get(award.sourceEventId ?? '');
        if (sent !== undefined) {
          latencies.push(Date.now() - sent);
        }
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const total = RATE * LATENCY_SECONDS;
    const tickMs = 20;
    const perTick = (RATE * tickMs) / 1000;
    const latencyStart = Date.now();
    for (let index = 0; index < total; ) {
      const due = Math.min(total, Math.floor(((Date.now() - latencyStart) / 1000) * RATE) + perTick);
      const batch = [];
      for (; index < due; index += 1) {
        batch.push(firstSessionEvent(`lat-${run}`, index));
      }
      if (batch.length > 0) {
        const now = Date.now();
        batch.forEach((event) => sentAt.set(event.eventId, now));
        await producer.send({ topic: `bench.session.completed.${suffixA}`, acks: -1, messages: batch.map(({ key, value }) => ({ key, value })) });
      }
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    await waitUntil('every award of the latency run', async () => latencies.length >= total, 120_000, 100);
    await awards.disconnect();
    latencies.sort((a, b) => a - b);
    results.latencyP50Ms = percentile(latencies, 50);
    results.latencyP95Ms = percentile(latencies, 95);
    results.latencyP99Ms = percentile(latencies, 99);
    await workerA.stop();

    const suffixB = `${run}b`;
    await pool.query('VACUUM ANALYZE');
    const workerB = await startWorker({ brokers, topicSuffix: suffixB, databaseUrl: DATABASE_URL, partitions: PARTITIONS });
    results.engineHotKeysEventsPerSecond = await engineRun('6/8 engine, hot keys', HOT_USERS, suffixB, workerB);
    await workerB.stop();
    results.workerPeakRssMb = Math.max(workerA.peakRssMb(), workerB.peakRssMb());

    if (BASELINE_ENTRY !== undefined) {
      const rates = await compareTurns(brokers, engineRun, [
        { name: 'baseline', entry: BASELINE_ENTRY },
        { name: 'current', entry: appEntry('worker') },
      ]);
      results.comparisonBaselineEventsPerSecond = rates[0];
      results.comparisonCurrentEventsPerSecond = rates[1];
    }
    if (OTHER_NODE !== undefined) {
      const rates = await compareTurns(brokers, engineRun, [
        { name: 'node-bench', entry: appEntry('worker') },
        { name: 'node-other', entry: appEntry('worker'), node: OTHER_NODE },
      ]);
      results.benchNodeEventsPerSecond = rates[0];
      results.otherNodeEventsPerSecond = rates[1];
    }
    if (WITHOUT !== undefined) {
      const rates = await compareTurns(brokers, engineRun, [
        { name: 'without', entry: appEntry('worker'), rulesFile: rulesWithout(WITHOUT) },
        { name: 'with', entry: appEntry('worker') },
      ]);
      results.withoutFeatureEventsPerSecond = rates[0];
      results.withFeatureEventsPerSecond = rates[1];
    }
  } finally {
    await producer.disconnect();
    await pool.end();
  }
  return results;
}

async function main(): Promise<void> {
  if (ONLY !== undefined && !(PARTS as readonly string[]).includes(ONLY)) {
    throw new Error(`--only=${ONLY}: expected one of ${PARTS.join(', ')}`);
  }
  if (WITHOUT !== undefined && FEATURE_KEYS[WITHOUT] === undefined) {
    throw new Error(`--without=${WITHOUT}: expected one of ${Object.keys(FEATURE_KEYS).join(', ')}`);
  }
  if (STREAM) {
    log(`bench: ${EVENTS} events (naive ${NAIVE_EVENTS}), ${USERS} users and ${HOT_USERS} hot users, latency at ${RATE}/s for ${LATENCY_SECONDS} s`);
  }
  const results: Record<string, number> = {};
  if (STREAM || SWEEP) {
    const kafkaBroker = await findOrStartKafka({ brokers: process.env.KAFKA_BROKERS, progress: printProgress });
    try {
      if (STREAM) {
        Object.assign(results, await streamStages(kafkaBroker.brokers));
      }
      if (SWEEP) {
        printProgress(`7/8 streak sweep: ${SWEEP_DUE} users due of ${SWEEP_USERS}, the start sweep of the built worker...`);
        Object.assign(
          results,
          await streakSweep({ root, databaseUrl: sweepUrl.toString(), brokers: kafkaBroker.brokers, run, users: SWEEP_USERS, due: SWEEP_DUE, backlogTenths: SWEEP_BACKLOG }, log),
        );
      }
    } finally {
      await kafkaBroker.stop();
    }
  }

  if (RULES) {
    printProgress(`8/8 rules recompute: diff and apply of a new rules version over ${RULES_USERS} users × ${RULES_SESSIONS} sessions...`);
    Object.assign(results, await rulesRecompute({ root, databaseUrl: rulesUrl.toString(), users: RULES_USERS, sessionsPerUser: RULES_SESSIONS }, log));
  }

  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kafka: KAFKA_VERSION,
  };
  log('');
  log(`Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB; broker, Postgres and Redis on the same machine; Node ${machine.node}, Kafka ${machine.kafka}`);
  if (STREAM) {
    log('| ratio | value |');
    log('| --- | ---: |');
    log(`| engine ÷ naive baseline | ${ratio(results.engineEventsPerSecond, results.naiveEventsPerSecond)} |`);
    log(`| engine ÷ pipe ceiling | ${ratio(results.engineEventsPerSecond, results.pipeEventsPerSecond)} |`);
    log(`| engine ÷ batched store ceiling | ${ratio(results.engineEventsPerSecond, results.batchedStoreEventsPerSecond)} |`);
    log(`| engine ÷ store ceiling (one upsert per transaction) | ${ratio(results.engineEventsPerSecond, results.storeTransactionsPerSecond)} |`);
    log(`| engine (hot keys) ÷ naive baseline | ${ratio(results.engineHotKeysEventsPerSecond, results.naiveEventsPerSecond)} |`);
    log('');
  }
  log('| measure | value |');
  log('| --- | ---: |');
  if (STREAM) {
    log(`| pipe ceiling (kafkajs, no-op) | ${results.pipeEventsPerSecond.toFixed(0)} events/s |`);
    log(`| store ceiling (pg, one upsert per transaction) | ${results.storeTransactionsPerSecond.toFixed(0)} transactions/s |`);
    log(`| batched store ceiling (the engine's rows, set-based, runs of ${Math.round(results.engineMeanRunSize)}) | ${results.batchedStoreEventsPerSecond.toFixed(0)} events/s |`);
    log(`| naive baseline (TypeORM, one transaction per event) | ${results.naiveEventsPerSecond.toFixed(0)} events/s |`);
    log(`| engine, ${USERS} users, end to end | ${results.engineEventsPerSecond.toFixed(0)} events/s |`);
    log(`| engine, ${HOT_USERS} users (hot keys), end to end | ${results.engineHotKeysEventsPerSecond.toFixed(0)} events/s |`);
    log(`| event → badge.awarded latency at ${RATE}/s, p50 / p95 / p99 | ${results.latencyP50Ms} / ${results.latencyP95Ms} / ${results.latencyP99Ms} ms |`);
    log(`| worker peak RSS | ${results.workerPeakRssMb.toFixed(0)} MB |`);
  }
  if (STREAM) {
    const unique = results.engineUniqueEvents;
    log('');
    const wall = EVENTS / results.engineEventsPerSecond;
    const used = Object.entries(cpuSeconds).filter(([name]) => !name.startsWith('worker: its')).reduce((sum, [, seconds]) => sum + seconds, 0);
    log(`CPU seconds by process in the many-users engine stage (${wall.toFixed(1)} s on ${cpus().length} cores, ${((100 * used) / (wall * cpus().length)).toFixed(0)}% of them busy):`);
    log('| process | CPU s | ms per 1,000 events |');
    log('| --- | ---: | ---: |');
    for (const [name, seconds] of Object.entries(cpuSeconds).sort((a, b) => b[1] - a[1])) {
      log(`| ${name} | ${seconds.toFixed(2)} | ${((seconds * 1e6) / unique).toFixed(1)} |`);
    }
    log('');
    log(`The worker's time in the many-users engine stage by stage (gamification_stage_seconds_total, summed over its ${PARTITIONS} partitions):`);
    log('| stage | s | ms per 1,000 events |');
    log('| --- | ---: | ---: |');
    for (const { stage, seconds } of stageSeconds) {
      log(`| ${stage} | ${seconds.toFixed(2)} | ${((seconds * 1e6) / unique).toFixed(1)} |`);
    }
  }
  if (STREAM && statementCosts.length > 0) {
    const unique = results.engineUniqueEvents;
    log('');
    log(`Database time of the many-users engine stage by stage (pg_stat_statements), per 1,000 events:`);
    log('| stage | calls | ms | ms per 1,000 events |');
    log('| --- | ---: | ---: | ---: |');
    for (const cost of statementCosts) {
      log(`| ${cost.stage} | ${cost.calls} | ${cost.totalMs.toFixed(0)} | ${((cost.totalMs * 1000) / unique).toFixed(1)} |`);
    }
    const total = statementCosts.reduce((sum, cost) => sum + cost.totalMs, 0);
    log(`| all | ${statementCosts.reduce((sum, cost) => sum + cost.calls, 0)} | ${total.toFixed(0)} | ${((total * 1000) / unique).toFixed(1)} |`);
    log('');
  }
  if (SWEEP) {
    const sweep = `${results.streakSweepDueUsers} users due of ${results.streakSweepUsers}`;
    log(`| streak sweep, ${sweep}: start sweep of a fresh worker | ${results.streakSweepSeconds.toFixed(3)} s |`);
    log(`| streak sweep, ${sweep}: sweep of a running worker | ${results.streakSweepRunningSeconds.toFixed(3)} s |`);
    log(
      `| streak sweep, nothing due: start sweep of a fresh worker / sweep of a running worker | ${results.streakSweepNothingDueSeconds.toFixed(3)} s / ${results.streakSweepNothingDueRunningSeconds.toFixed(3)} s |`,
    );
    log(
      `| streak notices per sweep: at_risk / frozen / lost | ${results.streakSweepAtRiskNotices} / ${results.streakSweepFrozenNotices} / ${results.streakSweepLostNotices} |`,
    );
    log(`| streak_due index entries the start sweep read | ${results.streakSweepIndexEntriesRead} |`);
  }
  if (RULES) {
    log(`| rules diff, ${RULES_USERS} users × ${RULES_SESSIONS} sessions (command start included) | ${results.rulesDiffUsersPerSecond.toFixed(0)} users/s |`);
    log(`| rules apply, ${RULES_USERS} users × ${RULES_SESSIONS} sessions (command start included) | ${results.rulesApplyUsersPerSecond.toFixed(0)} users/s |`);
    log(`| rules apply again (nothing to do) | ${results.rulesSecondApplySeconds.toFixed(1)} s |`);
  }
  if (STREAM && BASELINE_ENTRY !== undefined) {
    log('');
    log(`Same-run comparison with BENCH_WORKER_ENTRY=${BASELINE_ENTRY} (${USERS} users, median of ${COMPARISON_ROUNDS} turns each):`);
    log('| build | events/s |');
    log('| --- | ---: |');
    log(`| baseline (BENCH_WORKER_ENTRY) | ${results.comparisonBaselineEventsPerSecond.toFixed(0)} |`);
    log(`| this build | ${results.comparisonCurrentEventsPerSecond.toFixed(0)} |`);
    log(`| this build ÷ baseline | ${ratio(results.comparisonCurrentEventsPerSecond, results.comparisonBaselineEventsPerSecond)} |`);
  }
  if (STREAM && OTHER_NODE !== undefined) {
    const otherVersion = execFileSync(OTHER_NODE, ['--version'], { encoding: 'utf8' }).trim();
    log('');
    log(`Same-run comparison of Nodes, this build's worker (${USERS} users, median of ${COMPARISON_ROUNDS} turns each):`);
    log('| Node | events/s |');
    log('| --- | ---: |');
    log(`| ${process.version} (the bench's) | ${results.benchNodeEventsPerSecond.toFixed(0)} |`);
    log(`| ${otherVersion} (BENCH_WORKER_NODE) | ${results.otherNodeEventsPerSecond.toFixed(0)} |`);
    log(`| ${otherVersion} ÷ ${process.version} | ${ratio(results.otherNodeEventsPerSecond, results.benchNodeEventsPerSecond)} |`);
  }
  if (STREAM && WITHOUT !== undefined) {
    log('');
    log(`Same-run comparison, this build with and without ${WITHOUT} (${USERS} users, median of ${COMPARISON_ROUNDS} turns each):`);
    log('| rules | events/s |');
    log('| --- | ---: |');
    log(`| without ${WITHOUT} (${FEATURE_KEYS[WITHOUT].join(', ')} left out) | ${results.withoutFeatureEventsPerSecond.toFixed(0)} |`);
    log(`| with ${WITHOUT} (the shipped rules) | ${results.withFeatureEventsPerSecond.toFixed(0)} |`);
    log(`| with ÷ without | ${ratio(results.withFeatureEventsPerSecond, results.withoutFeatureEventsPerSecond)} |`);
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'results', 'latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), machine, parameters: { ONLY, WITHOUT, EVENTS, NAIVE_EVENTS, USERS, HOT_USERS, RATE, LATENCY_SECONDS, SWEEP_USERS, SWEEP_DUE, SWEEP_BACKLOG, RULES_USERS, RULES_SESSIONS }, results, cpuSeconds, stageSeconds, statementCosts }, null, 2)}\n`,
  );
  log('\nwritten to bench/results/latest.json');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
