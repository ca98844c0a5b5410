import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appEntry, freePort } from '@app/dev-stack';
import { waitUntil } from './stats';

export const BENCH_JWT_SECRET = 'benchmark-only-secret-0123456789abcdef';
export const BENCH_SERVICE_KEY = 'benchmark-only-service-key-0123456789abcdef';
const BENCH_OB_SIGNING_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

export interface RunningApi {
  readonly base: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** The built api on a free port, ready (GET /health answers); `env` adds to or overrides its settings. */
export async function startApi(databaseUrl: string, env: Readonly<Record<string, string>> = {}): Promise<RunningApi> {
  const port = await freePort();
  // BENCH_API_NODE_OPTIONS passes profiling flags to the api, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeOptions = (process.env.BENCH_API_NODE_OPTIONS ?? '').split(' ').filter((option) => option !== '');
  const child = spawn(process.execPath, [...nodeOptions, appEntry('api')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      JWT_SECRET: BENCH_JWT_SECRET,
      SERVICE_API_KEY: BENCH_SERVICE_KEY,
      OB_SIGNING_KEY: BENCH_OB_SIGNING_KEY,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil('the api to start', async () => {
    if (child.exitCode !== null) {
      throw new Error(`the api exited with code ${child.exitCode}`);
    }
    return (await fetch(`${base}/health`).catch(() => undefined))?.ok === true;
  }, 60_000, 100);
  return {
    base,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
