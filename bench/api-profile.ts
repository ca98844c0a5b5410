import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { appEntry, ensureDatabase, freePort, printProgress, runMigrations } from '@app/dev-stack';
import { eventually } from '@app/testing';

/**
 * npm run bench:api — requests/s and latency of GET /gamification/profile next to GET /health (a
 * trivial route of the same app), measured one after the other in one run with autocannon against
 * the built api on the machine's Postgres and Redis. Flags: --duration seconds (10), --connections (20).
 */
const args = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const duration = Number(args.get('duration') ?? 10);
const connections = Number(args.get('connections') ?? 20);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gamification';
const JWT_SECRET = 'benchmark-only-secret-0123456789abcdef';
const SERVICE_KEY = 'benchmark-only-service-key-0123456789abcdef';

async function run(title: string, url: string, headers: Record<string, string>) {
  printProgress(`${title}: ${connections} connections for ${duration} s...`);
  const result = await autocannon({ url, connections, duration, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${title}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return { title, requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main(): Promise<void> {
  await ensureDatabase(DATABASE_URL, printProgress);
  await runMigrations(DATABASE_URL);
  const port = await freePort();
  const api = spawn(process.execPath, [appEntry('api')], {
    env: {
      ...process.env,
      DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      JWT_SECRET,
      SERVICE_API_KEY: SERVICE_KEY,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await eventually('the api to start', async () => ((await fetch(`${base}/health`).catch(() => undefined))?.ok ? true : undefined));
    const userId = `bench-${randomUUID().slice(0, 8)}`;
    for (let day = 0; day < 20; day += 1) {
      const completedAt = new Date(Date.now() - day * 86_400_000 - 60_000).toISOString();
      const response = await fetch(`${base}/gamification/sync-progress`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${SERVICE_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ eventId: randomUUID(), userId, sessionId: `s-${day}`, completedAt, durationSeconds: 1500, score: 70 + day, timezone: 'UTC' }),
      });
      if (!response.ok) {
        throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
      }
    }
    const token = jwt.sign({ sub: userId }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
    const results = [
      await run('GET /health (trivial route)', `${base}/health`, {}),
      await run('GET /gamification/profile', `${base}/gamification/profile`, { Authorization: `Bearer ${token}` }),
    ];
    console.log(`\nautocannon, ${connections} connections, ${duration} s each, api and Postgres and Redis on this machine:`);
    console.log('| route | requests/s | p50 ms | p99 ms |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const result of results) {
      console.log(`| ${result.title} | ${result.requestsPerSecond.toFixed(0)} | ${result.p50} | ${result.p99} |`);
    }
    console.log(`profile ÷ trivial route: ${(results[1].requestsPerSecond / results[0].requestsPerSecond).toFixed(2)} of the requests/s`);
  } finally {
    api.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${(error as Error).message}`);
  process.exit(1);
});
