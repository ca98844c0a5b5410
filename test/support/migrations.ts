import { recreateDatabase } from '@app/dev-stack';
import { createDataSource } from '@app/persistence';
import type { DataSource } from 'typeorm';
import { ownDatabaseUrl } from './test-env';

/**
 * A database of the suite's own, migrated to the newest version before its tests and closed after
 * them: for tests that take migrations down and up again. Returns a getter for its data source.
 */
export function ownMigratedDatabase(name: string): () => DataSource {
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    const url = ownDatabaseUrl(name);
    await recreateDatabase(url, () => undefined);
    dataSource = createDataSource({ url, poolSize: 2 }, 'gamification-tests');
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });
  return () => dataSource!;
}

/** Undoes the migrations that ran, newest first, down to and including `name`. */
export async function undoMigrationsThrough(dataSource: DataSource, name: string): Promise<void> {
  for (;;) {
    const [last]: Array<{ name: string }> = await dataSource.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`);
    if (last === undefined) {
      throw new Error(`migration ${name} has not run`);
    }
    await dataSource.undoLastMigration({ transaction: 'each' });
    if (last.name === name) {
      return;
    }
  }
}
