import { spawnSync } from 'node:child_process';

/**
 * npm run test:property -- --runs=5000 [--seed=123]: the model-based tests of test/property with
 * more cases than `npm test` gives them (500, seed 20261126), on the same real broker and database.
 */
const flags = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const env = { ...process.env };
if (flags.has('runs')) {
  env.PROPERTY_RUNS = flags.get('runs');
}
if (flags.has('seed')) {
  env.PROPERTY_SEED = flags.get('seed');
}
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), 'test/property', '--selectProjects', 'integration'], {
  env,
  stdio: 'inherit',
});
process.exit(jest.status ?? 1);
