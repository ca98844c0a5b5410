import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { findOrStartKafka, printProgress, projectRoot, recreateDatabase } from '@app/dev-stack';
import { sessionStream, WorkerProcess } from '@app/testing';
import { benchKafka, connectedProducer } from './support/kafka';
import { percentile, waitUntil } from './support/stats';
import { tableSizeReport, tableSizes, type TableSample } from './support/table-sizes';

/**
 * npm run soak -- --minutes=30 --rate=200 --fault-every=3 — mixed load at a steady rate for a long
 * time with a fault every few minutes (the worker SIGKILLed and restarted, or its database
 * connections terminated, in turn). At the end it checks that every event was applied once and
 * every award published, and that the worker's memory stayed flat. Every minute it samples each
 * table's rows and total size; it prints them at the end and writes them to bench/results/soak.json.
 * `--outbox-retention-hours=N` sets the worker's OUTBOX_RETENTION_HOURS (decimals allowed: 0.1 keeps
 * sent rows for six minutes, so that a 30-minute soak shows the outbox levelling off). Not part of `npm test`.
 */
const flags = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const MINUTES = Number(flags.get('minutes') ?? 30);
const RATE = Number(flags.get('rate') ?? 200);
const FAULT_EVERY_MINUTES = Number(flags.get('fault-every') ?? 3);
const OUTBOX_RETENTION_HOURS = flags.get('outbox-retention-hours');
const adminUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gamification');
const soakUrl = new URL(adminUrl);
soakUrl.pathname = '/gamification_soak';
const DATABASE_URL = soakUrl.toString();

function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const broker = await findOrStartKafka({ brokers: process.env.KAFKA_BROKERS, progress: printProgress });
  await recreateDatabase(DATABASE_URL, printProgress);
  const env = {
    DATABASE_URL,
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_GROUP_ID: 'soak-worker',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_REBALANCE_TIMEOUT_MS: '8000',
    TOPIC_SESSION_COMPLETED: 'soak.session.completed',
    TOPIC_SESSION_COMPLETED_DLQ: 'soak.session.completed.dlq',
    TOPIC_BADGE_AWARDED: 'soak.badge.awarded',
    TOPIC_LEVEL_UP: 'soak.level.up',
    LOG_LEVEL: 'warn',
    ...(OUTBOX_RETENTION_HOURS === undefined ? {} : { OUTBOX_RETENTION_HOURS }),
  };
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const producer = await connectedProducer(benchKafka(broker.brokers));
  let worker = await WorkerProcess.start(env);
  const samples: Array<{ minute: number; rss: number }> = [];
  const tableSamples: TableSample[] = [];
  const produced = new Set<string>();
  const started = Date.now();
  const sampleTables = async (): Promise<void> => {
    tableSamples.push({ minute: (Date.now() - started) / 60_000, eventsProduced: produced.size, tables: await tableSizes(pool) });
  };
  let nextTableSample = started;
  const end = started + MINUTES * 60_000;
  let nextFault = started + FAULT_EVERY_MINUTES * 60_000;
  let faults = 0;
  let nextSample = started;
  try {
    for (let second = 0; Date.now() < end; second += 1) {
      // The stream's sessions lie 1 to 20 days back, so their days have ended and they create no daily
      // challenges. Every other one happens now, as most do in production, so that challenges are stored too.
      const events = sessionStream(`soak-${second % 500}`, 50, RATE).map((event, index) =>
        index % 2 === 0 ? { ...event, completedAt: new Date().toISOString() } : event,
      );
      events.forEach((event) => produced.add(event.eventId));
      await producer.send({
        topic: env.TOPIC_SESSION_COMPLETED,
        acks: -1,
        messages: events.map((event) => ({ key: event.userId, value: JSON.stringify(event) })),
      });
      if (Date.now() >= nextSample) {
        samples.push({ minute: (Date.now() - started) / 60_000, rss: rssMb(worker.pid) });
        nextSample += 10_000;
      }
      if (Date.now() >= nextTableSample) {
        await sampleTables();
        nextTableSample += 60_000;
      }
      if (Date.now() >= nextFault) {
        faults += 1;
        if (faults % 2 === 1) {
          printProgress(`fault ${faults}: SIGKILL the worker and start another`);
          await worker.kill('SIGKILL');
          worker = await WorkerProcess.start(env);
        } else {
          printProgress(`fault ${faults}: terminate the worker's database connections`);
          await pool.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gamification-engine' AND datname = current_database()`,
          );
        }
        nextFault += FAULT_EVERY_MINUTES * 60_000;
      }
      const due = started + (second + 1) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      if (second % 60 === 59) {
        printProgress(`minute ${Math.round((Date.now() - started) / 60_000)}: ${produced.size} events produced, worker RSS ${samples.at(-1)?.rss.toFixed(0)} MB`);
      }
    }
    printProgress('load finished; waiting for the worker to drain...');
    await waitUntil(
      'every event applied and every award published',
      async () => {
        const { rows } = await pool.query(
          `SELECT (SELECT count(*)::int FROM processed_events) AS processed,
                  (SELECT count(*)::int FROM outbox_messages WHERE sent_at IS NULL) AS unsent`,
        );
        return rows[0].processed === produced.size && rows[0].unsent === 0;
      },
      600_000,
      500,
    );
    await sampleTables();
  } finally {
    await worker.kill('SIGTERM');
    await producer.disconnect();
    await pool.end();
    await broker.stop();
  }
  const third = Math.max(1, Math.floor(samples.length / 3));
  const early = percentile([...samples.slice(1, third + 1)].map((s) => s.rss).sort((a, b) => a - b), 50);
  const late = percentile([...samples.slice(-third)].map((s) => s.rss).sort((a, b) => a - b), 50);
  console.log(`\nsoak: ${MINUTES} min at ${RATE} events/s, ${produced.size} events, ${faults} faults; every event applied once, every award published`);
  console.log(`worker RSS median: ${early.toFixed(0)} MB in the first third, ${late.toFixed(0)} MB in the last third`);
  console.log(`\ntables, sampled every minute (the last sample after the worker drained):`);
  tableSizeReport(tableSamples).forEach((line) => console.log(line));
  const results = join(projectRoot(), 'bench', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, 'soak.json'),
    `${JSON.stringify({ at: new Date().toISOString(), parameters: { MINUTES, RATE, FAULT_EVERY_MINUTES, OUTBOX_RETENTION_HOURS: env.OUTBOX_RETENTION_HOURS ?? 'default' }, events: produced.size, faults, rss: samples, tables: tableSamples }, null, 2)}\n`,
  );
  console.log('written to bench/results/soak.json');
  if (late > early * 1.25 + 20) {
    console.error('memory grew over the soak');
    process.exit(1);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`soak failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
