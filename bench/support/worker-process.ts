import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appEntry, freePort, WORKER_NODE_FLAGS } from '@app/dev-stack';
import { waitUntil } from './stats';

export interface WorkerProcess {
  readonly process: ChildProcess;
  /** The worker's own HTTP server: /metrics and /health. */
  readonly httpUrl: string;
  /** The kernel's record of the peak resident set (VmHWM), read while the process lives. */
  peakRssMb(): number;
  /** The resident set now (VmRSS). */
  rssMb(): number;
  /** Mean size of the runs the worker handled so far, from its gamification_run_size_messages histogram. */
  meanRunSize(): Promise<number>;
  /** Seconds spent so far in each stage, summed over partitions (gamification_stage_seconds_total). */
  stageSeconds(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  readonly brokers: readonly string[];
  /** Names the worker's topics, group and Redis keys, so that runs do not share them; workers with the same suffix share a group. */
  readonly topicSuffix: string;
  readonly databaseUrl: string;
  readonly partitions: number;
  /** Another build's main.js; this build's by default. */
  readonly entry?: string;
  /** RULES_FILE; the shipped rules of the build's own project by default. */
  readonly rulesFile?: string;
  /** The Node binary; the bench's own by default. */
  readonly node?: string;
  /** Further settings, e.g. MAX_EVENTS_PER_TRANSACTION for a curve's point. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The project a build belongs to: the nearest folder above its entry with a package.json. */
function projectOf(entry: string): string {
  for (let folder = dirname(entry); folder !== dirname(folder); folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) {
      return folder;
    }
  }
  throw new Error(`no package.json above ${entry}`);
}

function statusField(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}

/** Starts a built worker on the bench's topics and waits until it is ready (its group joined). */
export async function startWorker(options: WorkerOptions): Promise<WorkerProcess> {
  const { brokers, topicSuffix, databaseUrl, partitions, entry = appEntry('worker'), rulesFile, node = process.execPath } = options;
  const group = topicSuffix;
  const port = await freePort();
  // BENCH_WORKER_NODE_OPTIONS passes profiling flags to the worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeOptions = (process.env.BENCH_WORKER_NODE_OPTIONS ?? '').split(' ').filter((option) => option !== '');
  // Each build runs in its own project, with the rules file of its own commit (RULES_FILE is relative).
  const child = spawn(node, [...WORKER_NODE_FLAGS, ...nodeOptions, entry], {
    cwd: projectOf(entry),
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_ID: `bench-worker-${group}`,
      KAFKA_TOPIC_PARTITIONS: String(partitions),
      TOPIC_SESSION_COMPLETED: `bench.session.completed.${group}`,
      TOPIC_SESSION_COMPLETED_DLQ: `bench.session.completed.dlq.${group}`,
      TOPIC_BADGE_AWARDED: `bench.badge.awarded.${group}`,
      TOPIC_LEVEL_UP: `bench.level.up.${group}`,
      TOPIC_LEADERBOARD_FINISHED: `bench.leaderboard.finished.${group}`,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `bench-${group}:`,
      WORKER_HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...(rulesFile === undefined ? {} : { RULES_FILE: rulesFile }),
      ...options.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const httpUrl = `http://127.0.0.1:${port}`;
  await waitUntil('the worker to be ready', async () => (await fetch(`${httpUrl}/health/ready`).catch(() => undefined))?.status === 200, 60_000, 200);
  const metrics = async () => (await fetch(`${httpUrl}/metrics`)).text();
  let peak = 0;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const readPeak = () => {
    if (alive()) {
      peak = Math.max(peak, statusField(child.pid, 'VmHWM'));
    }
    return peak;
  };
  return {
    process: child,
    httpUrl,
    peakRssMb: readPeak,
    rssMb: () => (alive() ? statusField(child.pid, 'VmRSS') : 0),
    meanRunSize: async () => {
      const text = await metrics();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
      return value('gamification_run_size_messages_sum') / value('gamification_run_size_messages_count');
    },
    stageSeconds: async () =>
      Object.fromEntries([...(await metrics()).matchAll(/^gamification_stage_seconds_total\{stage="([^"]+)"\} (\S+)$/gm)].map(([, stage, value]) => [stage, Number(value)])),
    stop: async () => {
      readPeak();
      if (!alive()) {
        return;
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
