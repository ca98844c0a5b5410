import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { appEntry, projectRoot, recreateDatabase } from '@app/dev-stack';
import { ownDatabaseUrl } from '../support/test-env';

const root = projectRoot();
const shipped = readFileSync(join(root, 'config', 'rules.yaml'), 'utf8');

/** `npm run rules` as an operator runs it: the built command, as a process, on a database of its own. */
describe('the rules command (npm run rules)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-command-'));
  const url = ownDatabaseUrl('gamification_test_rules_command');

  const rulesFile = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [appEntry('cli'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url },
      encoding: 'utf8',
    });

  beforeAll(async () => {
    await recreateDatabase(url, () => undefined);
    // One user as the worker would have left them: a counted 30-minute session scored 95, kept as a fact.
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`INSERT INTO user_profiles (user_id, total_xp, level, sessions_completed, best_score) VALUES ('dana', 125, 2, 1, 95)`);
      await client.query(`INSERT INTO user_badges (user_id, badge_code, badge_name, badge_description, awarded_at, source_event_id)
                          VALUES ('dana', 'FIRST_STEPS', 'First Steps', 'Complete your first practice session', now(), 'e1'),
                                 ('dana', 'HIGH_SCORER', 'High Scorer', 'Score 90 or more in a session', now(), 'e1')`);
      await client.query(`INSERT INTO processed_events (event_id, user_id, session_id, source, processed_at, outcome, xp_awarded, practice_date,
                            completed_at, zone, local_date, duration_seconds, score, skills, rules_version)
                          VALUES ('e1', 'dana', 's1', 'kafka', now(), 'counted', 125, '2026-11-20',
                            '2026-11-20T09:00:00Z', 'UTC', '2026-11-20', 1800, 95, '{}', 3)`);
    } finally {
      await client.end();
    }
  });

  it('check: accepts valid rules with a higher version and says what they hold', () => {
    const result = run('check', rulesFile('v7.yaml', shipped.replace('version: 6', 'version: 7')));

    expect({ status: result.status, stdout: result.stdout }).toEqual({
      status: 0,
      stdout: `${join(dir, 'v7.yaml')}: valid, version 7 (in force: 6): 12 badges, 3 challenge templates, levels up to 100\n`,
    });
  });

  it('check: refuses a misspelt key, a bad value and a version not above the one in force, naming each field', () => {
    const misspelt = run('check', rulesFile('misspelt.yaml', shipped.replace('version: 6', 'version: 7').replace('  base: 50', '  bse: 50')));
    const sameVersion = run('check', rulesFile('same.yaml', shipped));

    expect(misspelt.status).toBe(1);
    expect(misspelt.stderr).toContain(`${join(dir, 'misspelt.yaml')}: xp.bse: property bse should not exist`);
    expect(misspelt.stderr).toContain(`${join(dir, 'misspelt.yaml')}: xp.base: base must not be less than 0; base must be an integer number`);
    expect(sameVersion.status).toBe(1);
    expect(sameVersion.stderr).toBe(`${join(dir, 'same.yaml')}: version: 6 is not higher than the version in force (6); each change of the rules needs a higher version\n`);
  });

  it('diff: prints the dry run with its progress and writes it as JSON, changing nothing', async () => {
    const out = join(dir, 'diff.json');

    const result = run('diff', rulesFile('v7-lean.yaml', shipped.replace('version: 6', 'version: 7').replace('  base: 50', '  base: 10')), `--out=${out}`);

    expect(result.status).toBe(0);
    expect(result.stderr).toContain('diff v6 → v7 [##############################] 1/1 users (100%)');
    expect(result.stdout).toContain('users who would change   1 (XP 1, level 0, badges 0)');
    // 10 + 45 + 30 under the new base, against 125 recorded; the level reached (2) is kept.
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
      file: join(dir, 'v7-lean.yaml'),
      fromVersion: 6,
      toVersion: 7,
      usersScanned: 1,
      usersChanged: { any: 1, xp: 1, level: 0, badges: 0 },
      xpDelta: { min: -40, p50: -40, p99: -40, max: -40 },
      newlyEarnedBadges: {},
      newlyReachedLevels: {},
    });
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query(`SELECT total_xp, level FROM user_profiles WHERE user_id = 'dana'`)).rows).toEqual([{ total_xp: 125, level: 2 }]);
    } finally {
      await client.end();
    }
  });

  it('says how to call it when the call is wrong', () => {
    const result = run('apply-everything', 'x.yaml');

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^usage: npm run rules -- check FILE/);
  });
});
