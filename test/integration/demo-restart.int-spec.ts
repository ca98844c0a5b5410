import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@app/dev-stack';
import { eventually } from '@app/testing';
import { requiredEnv } from '../support/test-env';

const root = join(__dirname, '..', '..');
// The old default: a worker that waits out a dead member's session shows as a join of about 30 s.
const SESSION_TIMEOUT_MS = 30_000;

interface DemoRun {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * The demo as `npm run demo` runs it after its build, in a process group of its own that stands for
 * the terminal's foreground group: Ctrl-C is SIGINT to that whole group.
 */
function startDemo(env: NodeJS.ProcessEnv): DemoRun {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'demo.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

async function waitForReport(run: DemoRun): Promise<number> {
  const started = Date.now();
  await eventually(
    'the demo to print its report',
    async () => {
      if (run.child.exitCode !== null) {
        throw new Error(`the demo exited with ${run.child.exitCode}:\n${run.output()}`);
      }
      return run.output().includes('Press Ctrl-C to stop.') ? true : undefined;
    },
    150_000,
  );
  return Date.now() - started;
}

/** Ctrl-C: SIGINT to the demo's whole process group, as a terminal sends it. */
async function pressCtrlC(run: DemoRun): Promise<number | null> {
  process.kill(-(run.child.pid as number), 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the demo did not stop:\n${run.output()}`)), 60_000);
  });
  try {
    return await Promise.race([run.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function joinDurations(workerLog: string): number[] {
  return workerLog
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; joinMs?: number })
    .filter((line) => line.joinMs !== undefined)
    .map((line) => line.joinMs as number);
}

describe('the demo, run twice with a Ctrl-C between', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-restart-'));
  const runs: DemoRun[] = [];

  afterAll(() => {
    for (const run of runs) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        process.kill(-(run.child.pid as number), 'SIGKILL');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops its children in order on Ctrl-C, so that the next run joins its group at once', async () => {
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEMO_DIR: dir,
      DATABASE_URL: requiredEnv('TEST_DATABASE_URL'),
      PORT: String(apiPort),
      WORKER_HTTP_PORT: String(workerPort),
      KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      LOG_FORMAT: 'json',
    };
    // The demo starts its own broker, the one Ctrl-C must not kill first.
    delete env.KAFKA_BROKERS;

    runs.push(startDemo(env));
    const firstReportMs = await waitForReport(runs[0]);
    const brokerPort = Number(/Kafka is ready on 127\.0\.0\.1:(\d+)/.exec(runs[0].output())?.[1]);
    expect(await pressCtrlC(runs[0])).toBe(0);
    expect(runs[0].output()).toContain('stopping the worker and the api, then Kafka');
    // Nothing is left running: not the worker, not the api, not the broker.
    expect(await Promise.all([accepts(workerPort), accepts(apiPort), accepts(brokerPort)])).toEqual([false, false, false]);

    runs.push(startDemo(env));
    const secondReportMs = await waitForReport(runs[1]);
    const joins = joinDurations(readFileSync(join(dir, 'worker.log'), 'utf8'));
    process.stdout.write(
      `demo report after ${firstReportMs} ms, then after ${secondReportMs} ms on the restart; restarted worker joined its group in ${joins.join(', ')} ms\n`,
    );
    expect(joins).toHaveLength(1);
    // A join behind a member that never left waits for its session (30 s) to expire.
    expect(joins[0]).toBeLessThan(SESSION_TIMEOUT_MS / 2);
    expect(runs[1].output()).not.toContain('[worker]');
    expect(await pressCtrlC(runs[1])).toBe(0);
  });
});
