import { ensureDatabase, printProgress, runMigrations } from '@app/dev-stack';

/** npm run migration:run — creates the database if missing and applies pending migrations. */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url === undefined || url === '') {
    throw new Error('DATABASE_URL is not set (for example postgres://postgres@127.0.0.1:5432/gamification)');
  }
  await ensureDatabase(url, printProgress);
  const applied = await runMigrations(url);
  printProgress(applied.length === 0 ? 'migrations: nothing to apply' : `migrations applied: ${applied.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
