import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('refuses a reminder time that is not a time of day and a negative freeze count, naming both', () => {
    const shipped = readFileSync(join(root, 'config', 'rules.yaml'), 'utf8');
    const broken = shipped.replace(/^streakReminderLocalTime: .*$/m, 'streakReminderLocalTime: "24:30"').replace(/^ {2}maxHeld: \d+$/m, '  maxHeld: -1');
    expect(broken).not.toBe(shipped);
    const folder = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      writeFileSync(join(folder, 'rules.yaml'), broken);
      const result = startWorker({
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gamification_test',
        KAFKA_BROKERS: '127.0.0.1:9',
        REDIS_URL: 'redis://127.0.0.1:9',
        RULES_FILE: join(folder, 'rules.yaml'),
      });

      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/rules\.yaml: streakReminderLocalTime: /);
      expect(result.stderr).toMatch(/rules\.yaml: streakFreeze\.maxHeld: /);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
