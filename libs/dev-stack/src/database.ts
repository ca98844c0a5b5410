import { Client } from 'pg';
import { createDataSource } from '@app/persistence';
import type { Progress } from './progress';

/** Creates the database named in the URL when it does not exist yet (the server must be running). */
export async function ensureDatabase(url: string, progress: Progress): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      progress(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

/** Drops the database named in the URL (ending its sessions), creates it again and migrates it: a clean slate for tests and benchmarks. */
export async function recreateDatabase(url: string, progress: Progress): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await ensureDatabase(url, progress);
  await runMigrations(url);
}

/** Applies every pending migration of migrations/; returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 2 }, 'gamification-migrations');
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
