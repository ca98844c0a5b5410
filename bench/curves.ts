import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { findOrStartKafka, KAFKA_VERSION, printProgress, projectRoot, recreateDatabase } from '@app/dev-stack';
import { batchedStoreCeiling, type RowsPerEvent } from './support/batched-store-ceiling';
import { firstSessionEvent, sessionEvents, uniqueCount, type BenchEvent } from './support/events';
import { benchKafka, connectedProducer, createTopics, produceAll } from './support/kafka';
import { percentile, rate, waitUntil } from './support/stats';
import { lineChart, type ChartPoint } from './support/svg-chart';
import { startWorker, type WorkerProcess } from './support/worker-process';

/**
 * npm run bench:curves — the engine's throughput, latency and memory as curves rather than one
 * point (docs/performance.md): events/s against run size and against partitions, open-loop latency
 * against the offered rate, RSS over a long run, and two workers against one. Each point is the
 * median of --repeats runs with their min and max; the charts go to docs/performance/*.svg and the
 * figures to bench/results/curves.json.
 * Flags: --curves=run-size,partitions,latency,rss,scale-out --repeats=3 --events=20000 --users=10000
 * --run-sizes=10,50,200,500,1000,2000 --partitions=1,2,3,6,12 --rates=500,1000,2000,3000,4000,5000
 * --latency-seconds=10 --rss-minutes=10 --rss-rate=1000 --max-rate=12000 (the latency curve steps on
 * past the last of --rates until p99 passes 1 s or this rate). The RSS curve is one run.
 */
const root = projectRoot();
const flags = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const number = (name: string, fallback: number) => Number(flags.get(name) ?? fallback);
const list = (name: string, fallback: string) => (flags.get(name) ?? fallback).split(',').filter((item) => item !== '');
const CURVES = list('curves', 'run-size,partitions,latency,rss,scale-out');
const REPEATS = number('repeats', 3);
const EVENTS = number('events', 20_000);
const USERS = number('users', 10_000);
const RUN_SIZES = list('run-sizes', '10,50,200,500,1000,2000').map(Number);
const PARTITION_COUNTS = list('partitions', '1,2,3,6,12').map(Number);
const RATES = list('rates', '500,1000,2000,3000,4000,5000').map(Number);
const LATENCY_SECONDS = number('latency-seconds', 10);
const RSS_MINUTES = number('rss-minutes', 10);
const RSS_RATE = number('rss-rate', 1_000);
/** The rate steps past the last of --rates, until p99 passes 1 s (or this rate is reached). */
const MAX_RATE = number('max-rate', 12_000);
const DEFAULT_PARTITIONS = 6;
const P99_LIMIT_MS = 1_000;
/** Seconds of load at the offered rate that each latency run sends first, unmeasured. */
const WARM_UP_SECONDS = 3;
const KNOWN = ['run-size', 'partitions', 'latency', 'rss', 'scale-out'];

const adminUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gamification');
const curvesUrl = new URL(adminUrl);
curvesUrl.pathname = '/gamification_bench_curves';
const DATABASE_URL = curvesUrl.toString();
const log = (line: string) => process.stdout.write(`${line}\n`);
let sequence = 0;
const nextSuffix = () => `cv${Date.now().toString(36)}${(sequence += 1)}`;

interface Stack {
  readonly brokers: readonly string[];
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly pool: Pool;
}

/** The median of runs with their extremes: one point of a curve. */
function point(x: number, values: readonly number[]): ChartPoint {
  const sorted = [...values].sort((a, b) => a - b);
  return { x, median: percentile(sorted, 50), min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * Each run starts from fresh planner statistics and no dead rows, as a database with autovacuum
 * would (it is off on these machines): without it, a curve's later runs are planned for the empty
 * tables of its first and slow down as the tables grow (the run-size curve did, by half).
 */
async function freshStatistics(pool: Pool): Promise<void> {
  await pool.query('VACUUM ANALYZE');
}

/** Sums a metric over the workers' /metrics, every label set included. */
async function metricSum(workers: readonly WorkerProcess[], name: string): Promise<number> {
  let sum = 0;
  for (const worker of workers) {
    const text = await (await fetch(`${worker.httpUrl}/metrics`)).text();
    for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
      sum += Number(match[1]);
    }
  }
  return sum;
}

/**
 * One end-to-end throughput run: a fresh group of `workers` worker processes on a new topic of
 * `partitions`, the events produced while they consume, timed from the first send until every
 * message is handled and every award published. Returns events/s and the workers' mean run size.
 */
async function throughputRun(stack: Stack, options: { partitions: number; workers: number; env?: Record<string, string>; events?: readonly BenchEvent[] }): Promise<{ eventsPerSecond: number; meanRunSize: number; prefix: string; unique: number }> {
  const suffix = nextSuffix();
  const prefix = `${suffix}-u`;
  const events = options.events ?? sessionEvents(EVENTS, USERS, prefix);
  await freshStatistics(stack.pool);
  await createTopics(stack.kafka, [`bench.session.completed.${suffix}`], options.partitions);
  // A connection for each partition in flight, and some for the relay, the sweeps and the gauges.
  const concurrency = Math.min(options.partitions, 12);
  const env = { KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: String(concurrency), DATABASE_POOL_SIZE: String(concurrency + 4), ...options.env };
  const workers: WorkerProcess[] = [];
  for (let index = 0; index < options.workers; index += 1) {
    workers.push(await startWorker({ brokers: stack.brokers, topicSuffix: suffix, databaseUrl: DATABASE_URL, partitions: options.partitions, env }));
  }
  try {
    // A second member joins after the first holds every partition: wait until the group has settled.
    await new Promise((resolve) => setTimeout(resolve, options.workers > 1 ? 3_000 : 0));
    const started = Date.now();
    await produceAll(stack.producer, `bench.session.completed.${suffix}`, events, () => undefined);
    await waitUntil(
      'every message handled and every award published',
      async () => (await metricSum(workers, 'gamification_events_total')) >= events.length && (await metricSum(workers, 'gamification_outbox_unsent')) === 0,
      600_000,
      100,
    );
    const eventsPerSecond = rate(events.length, Date.now() - started);
    const runs = await metricSum(workers, 'gamification_run_size_messages_count');
    const messages = await metricSum(workers, 'gamification_run_size_messages_sum');
    return { eventsPerSecond, meanRunSize: messages / runs, prefix, unique: uniqueCount(events) };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/** Waits until the workers have published every award they hold, so that no backlog slows the next run's finish. */
async function drained(workers: readonly WorkerProcess[]): Promise<void> {
  await waitUntil('the outbox drained', async () => (await metricSum(workers, 'gamification_outbox_unsent')) === 0, 120_000, 200);
}

async function rowsPerEvent(pool: Pool, prefix: string, unique: number): Promise<RowsPerEvent> {
  const { rows } = await pool.query<{ badges: number; outbox: number }>(
    `SELECT (SELECT count(*)::int FROM user_badges WHERE user_id LIKE $1) AS badges,
            (SELECT count(*)::int FROM outbox_messages WHERE message_key LIKE $1) AS outbox`,
    [`${prefix}-%`],
  );
  return { badges: rows[0].badges / unique, outbox: rows[0].outbox / unique };
}

const results: Record<string, unknown> = {};
const charts: string[] = [];

function chart(name: string, svg: string): void {
  const folder = join(root, 'docs', 'performance');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${name}.svg`), svg);
  charts.push(`docs/performance/${name}.svg`);
}

const range = (p: ChartPoint, digits = 0) => `${p.median.toFixed(digits)} (${p.min.toFixed(digits)}–${p.max.toFixed(digits)})`;

async function runSizeCurve(stack: Stack): Promise<void> {
  const engine: ChartPoint[] = [];
  const ceiling: ChartPoint[] = [];
  const runSizes: ChartPoint[] = [];
  let rows: RowsPerEvent | null = null;
  for (const size of RUN_SIZES) {
    const rates: number[] = [];
    const means: number[] = [];
    for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
      printProgress(`run size ${size}: engine run ${repeat}/${REPEATS}...`);
      const result = await throughputRun(stack, { partitions: DEFAULT_PARTITIONS, workers: 1, env: { MAX_EVENTS_PER_TRANSACTION: String(size) } });
      rates.push(result.eventsPerSecond);
      means.push(result.meanRunSize);
      rows ??= await rowsPerEvent(stack.pool, result.prefix, result.unique);
    }
    const meanRunSize = Math.max(1, Math.round(point(size, means).median));
    const ceilings: number[] = [];
    for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
      printProgress(`run size ${size}: batched store ceiling in runs of ${meanRunSize}, run ${repeat}/${REPEATS}...`);
      await freshStatistics(stack.pool);
      ceilings.push(
        await batchedStoreCeiling({ pool: stack.pool, events: sessionEvents(EVENTS, USERS, `${nextSuffix()}-c`), runSize: meanRunSize, concurrency: DEFAULT_PARTITIONS, rowsPerEvent: rows!, relayBatch: 2_000 }),
      );
    }
    engine.push(point(size, rates));
    ceiling.push(point(size, ceilings));
    runSizes.push(point(size, means));
  }
  results.runSize = { engine, ceiling, meanRunSize: runSizes };
  chart(
    'run-size',
    lineChart({
      title: `Events/s against run size (MAX_EVENTS_PER_TRANSACTION), ${EVENTS.toLocaleString('en')} events, ${DEFAULT_PARTITIONS} partitions`,
      xLabel: 'MAX_EVENTS_PER_TRANSACTION (log scale)',
      yLabel: 'events/s',
      xLog: true,
      series: [
        { name: 'engine, end to end', points: engine },
        { name: 'batched store ceiling, runs of the engine’s mean size', points: ceiling },
      ],
    }),
  );
  log('\nEvents/s against run size (median of runs, min–max):');
  log('| MAX_EVENTS_PER_TRANSACTION | mean run | engine events/s | batched ceiling events/s | engine ÷ ceiling |');
  log('| ---: | ---: | ---: | ---: | ---: |');
  RUN_SIZES.forEach((size, index) =>
    log(`| ${size} | ${runSizes[index].median.toFixed(0)} | ${range(engine[index])} | ${range(ceiling[index])} | ${(engine[index].median / ceiling[index].median).toFixed(2)}× |`),
  );
}

async function partitionsCurve(stack: Stack): Promise<void> {
  const engine: ChartPoint[] = [];
  for (const partitions of PARTITION_COUNTS) {
    const rates: number[] = [];
    for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
      printProgress(`${partitions} partition(s): engine run ${repeat}/${REPEATS}...`);
      rates.push((await throughputRun(stack, { partitions, workers: 1 })).eventsPerSecond);
    }
    engine.push(point(partitions, rates));
  }
  results.partitions = engine;
  chart(
    'partitions',
    lineChart({
      title: `Events/s against partitions (all consumed concurrently), ${EVENTS.toLocaleString('en')} events, one worker`,
      xLabel: 'partitions of session.completed',
      yLabel: 'events/s',
      series: [{ name: 'engine, end to end', points: engine }],
    }),
  );
  log('\nEvents/s against partitions (median of runs, min–max):');
  log('| partitions | engine events/s |');
  log('| ---: | ---: |');
  engine.forEach((p) => log(`| ${p.x} | ${range(p)} |`));
}

/**
 * Open loop: first sessions of new users (each earns FIRST_STEPS, so each causes a badge.awarded)
 * sent at `offered` events/s on time whatever the engine does, for LATENCY_SECONDS; each latency
 * runs from the moment its event was due to the moment its award was consumed. An event whose award
 * has not come 60 s after the last send counts with the time it has waited so far (at least 60 s).
 * A fresh worker first takes WARM_UP_SECONDS of the same load, unmeasured, and drains it.
 */
async function latencyRun(stack: Stack, offered: number): Promise<{ p50: number; p99: number }> {
  const suffix = nextSuffix();
  await freshStatistics(stack.pool);
  await createTopics(stack.kafka, [`bench.session.completed.${suffix}`, `bench.badge.awarded.${suffix}`], DEFAULT_PARTITIONS);
  const worker = await startWorker({ brokers: stack.brokers, topicSuffix: suffix, databaseUrl: DATABASE_URL, partitions: DEFAULT_PARTITIONS });
  const dueAt = new Map<string, number>();
  const latencies: number[] = [];
  const awards = stack.kafka.consumer({ groupId: `bench-awards-${suffix}` });
  try {
    await awards.connect();
    await awards.subscribe({ topic: `bench.badge.awarded.${suffix}`, fromBeginning: true });
    await awards.run({
      eachMessage: async ({ message }) => {
        const award = JSON.parse(message.value?.toString() ?? '{}') as { sourceEventId?: string };
        const due = dueAt.get(award.sourceEventId ?? '');
        if (due !== undefined) {
          latencies.push(Date.now() - due);
          dueAt.delete(award.sourceEventId ?? '');
        }
      },
    });
    // A warm-up at the same rate, not measured: a fresh worker's first seconds run cold code (JIT).
    const warmUp = Array.from({ length: offered * WARM_UP_SECONDS }, (_, index) => firstSessionEvent(`warm-${suffix}`, index));
    for (let second = 0; second < WARM_UP_SECONDS; second += 1) {
      await stack.producer.send({
        topic: `bench.session.completed.${suffix}`,
        acks: -1,
        messages: warmUp.slice(second * offered, (second + 1) * offered).map(({ key, value }) => ({ key, value })),
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await waitUntil('the warm-up handled', async () => (await metricSum([worker], 'gamification_events_total')) >= warmUp.length, 120_000, 100);
    await drained([worker]);
    const total = offered * LATENCY_SECONDS;
    const start = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let index = 0; index < total; ) {
      const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * offered) + 1);
      const batch: BenchEvent[] = [];
      for (; index < due; index += 1) {
        const event = firstSessionEvent(`lat-${suffix}`, index);
        dueAt.set(event.eventId, start + (index * 1000) / offered);
        batch.push(event);
      }
      if (batch.length > 0) {
        // Not awaited: a slow acknowledgement must not hold back the next sends (open loop).
        sends.push(stack.producer.send({ topic: `bench.session.completed.${suffix}`, acks: -1, messages: batch.map(({ key, value }) => ({ key, value })) }));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(sends);
    await waitUntil('every award of the latency run', async () => latencies.length >= total, 60_000, 100).catch(() => undefined);
    const lastDue = start + LATENCY_SECONDS * 1000;
    for (const due of dueAt.values()) {
      latencies.push(Math.max(Date.now() - due, lastDue + 60_000 - due));
    }
    latencies.sort((a, b) => a - b);
    await drained([worker]);
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await awards.disconnect();
    await worker.stop();
  }
}

async function latencyCurve(stack: Stack): Promise<void> {
  const p50: ChartPoint[] = [];
  const p99: ChartPoint[] = [];
  const step = RATES.length > 1 ? RATES[RATES.length - 1] - RATES[RATES.length - 2] : 1_000;
  const rates = [...RATES];
  for (let index = 0; index < rates.length; index += 1) {
    const offered = rates[index];
    const runs: Array<{ p50: number; p99: number }> = [];
    for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
      printProgress(`latency at ${offered} events/s for ${LATENCY_SECONDS} s: run ${repeat}/${REPEATS}...`);
      runs.push(await latencyRun(stack, offered));
    }
    p50.push(point(offered, runs.map((run) => run.p50)));
    p99.push(point(offered, runs.map((run) => run.p99)));
    if (index === rates.length - 1 && p99[p99.length - 1].median <= P99_LIMIT_MS && offered + step <= MAX_RATE) {
      rates.push(offered + step);
    }
  }
  results.latency = { p50, p99 };
  chart(
    'latency',
    lineChart({
      title: `Open-loop latency, produce → badge.awarded consumed (${LATENCY_SECONDS} s per run)`,
      xLabel: 'offered events/s',
      yLabel: 'ms',
      series: [
        { name: 'p50', points: p50 },
        { name: 'p99', points: p99 },
      ],
      references: [{ y: P99_LIMIT_MS, label: '1 s' }],
    }),
  );
  log('\nOpen-loop latency, produce → badge.awarded consumed (median of runs, min–max):');
  log('| offered events/s | p50 ms | p99 ms |');
  log('| ---: | ---: | ---: |');
  p50.forEach((p, index) => log(`| ${p.x} | ${range(p)} | ${range(p99[index])} |`));
}

/** One worker fed RSS_RATE events/s for RSS_MINUTES; its resident set every 10 s. */
async function rssCurve(stack: Stack): Promise<void> {
  const suffix = nextSuffix();
  await freshStatistics(stack.pool);
  await createTopics(stack.kafka, [`bench.session.completed.${suffix}`], DEFAULT_PARTITIONS);
  const worker = await startWorker({ brokers: stack.brokers, topicSuffix: suffix, databaseUrl: DATABASE_URL, partitions: DEFAULT_PARTITIONS });
  const samples: ChartPoint[] = [];
  try {
    const start = Date.now();
    const end = start + RSS_MINUTES * 60_000;
    let sent = 0;
    let nextSample = start;
    while (Date.now() < end) {
      const due = Math.floor(((Date.now() - start) / 1000) * RSS_RATE);
      if (due > sent) {
        const events = sessionEvents(due - sent, USERS, `${suffix}-u`, Date.now(), sent + 1);
        await stack.producer.send({ topic: `bench.session.completed.${suffix}`, acks: -1, messages: events.map(({ key, value }) => ({ key, value })) });
        sent = due;
      }
      if (Date.now() >= nextSample) {
        const rss = worker.rssMb();
        samples.push({ x: (Date.now() - start) / 60_000, median: rss, min: rss, max: rss });
        if (samples.length % 6 === 1) {
          printProgress(`RSS at ${RSS_RATE} events/s: ${rss.toFixed(0)} MB after ${((Date.now() - start) / 60_000).toFixed(1)} min`);
        }
        nextSample += 10_000;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await drained([worker]);
  } finally {
    await worker.stop();
  }
  const peak = worker.peakRssMb();
  results.rss = { samples, peakMb: peak };
  chart(
    'rss',
    lineChart({
      title: `Worker RSS over ${RSS_MINUTES} minutes at ${RSS_RATE.toLocaleString('en')} events/s`,
      xLabel: 'minutes',
      yLabel: 'MB',
      series: [{ name: 'resident set (VmRSS)', points: samples }],
      references: [{ y: 300, label: '300 MB' }],
    }),
  );
  const last = samples[samples.length - 1];
  const first = samples.find((sample) => sample.x >= 1) ?? samples[0];
  log(`\nRSS over ${RSS_MINUTES} minutes at ${RSS_RATE} events/s: ${first.median.toFixed(0)} MB after 1 min, ${last.median.toFixed(0)} MB at the end, peak (VmHWM) ${peak.toFixed(0)} MB`);
}

async function scaleOut(stack: Stack): Promise<void> {
  const one: number[] = [];
  const two: number[] = [];
  for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
    // In turns, so that neither always runs on the larger database.
    for (const workers of repeat % 2 === 1 ? [1, 2] : [2, 1]) {
      printProgress(`scale-out, 12 partitions: ${workers} worker(s), run ${repeat}/${REPEATS}...`);
      (workers === 1 ? one : two).push((await throughputRun(stack, { partitions: 12, workers })).eventsPerSecond);
    }
  }
  const single = point(1, one);
  const double = point(2, two);
  results.scaleOut = { oneWorker: single, twoWorkers: double };
  log('\nTwo worker processes against one, 12 partitions (median of runs, min–max):');
  log('| workers | events/s |');
  log('| ---: | ---: |');
  log(`| 1 | ${range(single)} |`);
  log(`| 2 | ${range(double)} |`);
  log(`| 2 ÷ 1 | ${(double.median / single.median).toFixed(2)}× |`);
}

async function main(): Promise<void> {
  const unknown = CURVES.filter((curve) => !KNOWN.includes(curve));
  if (unknown.length > 0) {
    throw new Error(`--curves: unknown ${unknown.join(', ')}; expected some of ${KNOWN.join(', ')}`);
  }
  log(`bench:curves: ${CURVES.join(', ')}; ${REPEATS} runs a point, ${EVENTS} events over ${USERS} users a throughput run`);
  const broker = await findOrStartKafka({ brokers: process.env.KAFKA_BROKERS, progress: printProgress });
  await recreateDatabase(DATABASE_URL, printProgress);
  const kafka = benchKafka(broker.brokers);
  const producer = await connectedProducer(kafka);
  const pool = new Pool({ connectionString: DATABASE_URL, max: DEFAULT_PARTITIONS + 2 });
  const stack: Stack = { brokers: broker.brokers, kafka, producer, pool };
  try {
    const curves: Record<string, (stack: Stack) => Promise<void>> = {
      'run-size': runSizeCurve,
      partitions: partitionsCurve,
      latency: latencyCurve,
      rss: rssCurve,
      'scale-out': scaleOut,
    };
    for (const curve of CURVES) {
      await curves[curve](stack);
    }
  } finally {
    await producer.disconnect();
    await pool.end();
    await broker.stop();
  }
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, kafka: KAFKA_VERSION };
  log(`\nMachine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB; broker, Postgres and Redis on the same machine; Node ${machine.node}, Kafka ${machine.kafka}`);
  log(`Charts: ${charts.join(', ')}`);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  // Curves run on their own (--curves=latency) replace their own entry and keep the others'.
  const file = join(root, 'bench', 'results', 'curves.json');
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { curves?: Record<string, unknown> }).curves ?? {} : {};
  const parameters = { REPEATS, EVENTS, USERS, RUN_SIZES, PARTITION_COUNTS, RATES, LATENCY_SECONDS, RSS_MINUTES, RSS_RATE };
  const measured = Object.fromEntries(Object.entries(results).map(([curve, figures]) => [curve, { at: new Date().toISOString(), machine, parameters, figures }]));
  writeFileSync(file, `${JSON.stringify({ curves: { ...earlier, ...measured } }, null, 2)}\n`);
  log('written to bench/results/curves.json');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:curves failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
