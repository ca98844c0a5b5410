import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function startWorker(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'apps', 'worker', 'src', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the worker process at start-up', () => {
  it('refuses bad settings, naming each of them, and exits with status 1', () => {
    const result = startWorker({ DATABASE_URL: 'mysql://somewhere', LOG_LEVEL: 'chatty', KAFKA_TOPIC_PARTITIONS: '0' });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    for (const setting of ['DATABASE_URL', 'LOG_LEVEL', 'KAFKA_TOPIC_PARTITIONS', 'KAFKA_BROKERS', 'REDIS_URL']) {
      expect(result.stderr).toMatch(new RegExp(`^\\s+- ${setting}: `, 'm'));
    }
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a rules file with a bad value, naming the file and the value', () => {
    const result = startWorker({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gamification_test',
      KAFKA_BROKERS: '127.0.0.1:9',
      REDIS_URL: 'redis://127.0.0.1:9',
      RULES_FILE: join(root, 'test', 'fixtures', 'rules-with-negative-xp.yaml'),
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/rules-with-negative-xp\.yaml: xp\.base: /);
  });
});
