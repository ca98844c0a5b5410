import './register-paths';
import { ensureChromium, findOrStartKafka, printProgress, recreateDatabase, type RunningKafka } from '@app/dev-stack';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

declare global {
  var testKafka: RunningKafka | undefined;
}

/**
 * Finds or starts what the integration tests need, once per run: a real Kafka broker (KAFKA_BROKERS,
 * Testcontainers where Docker runs, else a local KRaft broker from Maven Central), a freshly
 * migrated database on the machine's Postgres, and Chromium for the browser test. Test files read
 * them from the environment.
 */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gamification_test';
  await recreateDatabase(databaseUrl, printProgress);

  // Process-level tests run the apps as real processes, from the same builds `npm start`,
  // `npm run start:api` and `npm run rules` run: the worker (fault suite), the api and the rules command.
  for (const app of ['worker', 'api', 'cli']) {
    printProgress(`building the ${app} for the process-level tests...`);
    const build = spawnSync(process.execPath, [join(__dirname, '..', '..', 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', app], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
    });
    if (build.status !== 0) {
      throw new Error(`nest build ${app} failed:\n${build.stdout}${build.stderr}`);
    }
  }

  // The dashboard's browser test is served the built web app, as the api serves it in production:
  // the production build (Jest runs with NODE_ENV=test, which would bundle React's development build).
  printProgress('building the dashboard for the browser test...');
  const web = spawnSync(
    process.execPath,
    [join(__dirname, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'apps/web/vite.config.mts', '--logLevel', 'warn'],
    { cwd: join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (web.status !== 0) {
    throw new Error(`vite build failed:\n${web.stdout}${web.stderr}`);
  }

  process.env.CHROMIUM_PATH = ensureChromium(printProgress);

  const kafka = await findOrStartKafka({ brokers: process.env.KAFKA_BROKERS, progress: printProgress });
  globalThis.testKafka = kafka;
  process.env.TEST_DATABASE_URL = databaseUrl;
  process.env.TEST_KAFKA_BROKERS = kafka.brokers.join(',');
}
