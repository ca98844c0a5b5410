import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadRulesFile } from '@app/config';
import type { GamificationRules } from '@app/domain';
import { appEntry, printProgress, recreateDatabase } from '@app/dev-stack';
import { fillRulesFacts } from './support/rules-facts';

export interface RulesRecomputeOptions {
  readonly root: string;
  /** A database URL whose database this stage drops and recreates for itself. */
  readonly databaseUrl: string;
  readonly users: number;
  readonly sessionsPerUser: number;
}

export interface RulesRecomputeResults {
  readonly rulesDiffUsersPerSecond: number;
  readonly rulesApplyUsersPerSecond: number;
  readonly rulesSecondApplySeconds: number;
}

/** The shipped rules with the changes a product team makes: more XP per session, one badge more. */
function nextVersion(rules: GamificationRules): GamificationRules {
  return {
    ...rules,
    version: rules.version + 1,
    xp: { ...rules.xp, base: rules.xp.base + 10 },
    badges: [
      ...rules.badges,
      { code: 'DEDICATED', name: 'Dedicated', description: 'Complete 15 practice sessions', when: { metric: 'sessionsCompleted', atLeast: 15 } },
    ],
  };
}

/**
 * Runs the built rules command as an operator does and times it wall-clock, its start included;
 * its progress bar goes to this process's stderr, its summary comes back. RULES_FILE names the
 * file of the version in force, as the operator's environment would, so that the command does not
 * warn that the file and the database disagree.
 */
function rulesCommand(
  root: string,
  env: { readonly databaseUrl: string; readonly rulesFile: string },
  args: readonly string[],
): Promise<{ readonly seconds: number; readonly stdout: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [appEntry('cli'), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: env.databaseUrl, RULES_FILE: env.rulesFile, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve({ seconds: (Date.now() - started) / 1000, stdout: stdout.trim() })
        : reject(new Error(`npm run rules -- ${args.join(' ')} exited with ${code}: ${stdout.trim()}`)),
    );
  });
}

/**
 * The recompute stage: a database of its own holding `users` users of `sessionsPerUser` sessions
 * each under the shipped rules, then `diff` and `apply` of the next version through the built
 * command, and `apply` again, which must find nothing to do.
 */
export async function rulesRecompute(options: RulesRecomputeOptions, log: (line: string) => void): Promise<RulesRecomputeResults> {
  const { root, databaseUrl, users, sessionsPerUser } = options;
  const shippedFile = join('config', 'rules.yaml');
  const shipped = loadRulesFile(join(root, shippedFile));
  const workDir = mkdtempSync(join(tmpdir(), 'bench-rules-'));
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await recreateDatabase(databaseUrl, printProgress);
    printProgress(`  filling ${users} users × ${sessionsPerUser} sessions under rules version ${shipped.version}...`);
    await fillRulesFacts(pool, { users, sessionsPerUser, rules: shipped, rulesSource: shippedFile }, printProgress);

    const candidate = nextVersion(shipped);
    const candidateFile = join(workDir, `rules-v${candidate.version}.yaml`);
    // JSON is YAML: the command reads this file as it reads the shipped one.
    writeFileSync(candidateFile, `${JSON.stringify(candidate, null, 2)}\n`);

    const before = { databaseUrl, rulesFile: shippedFile };
    const diff = await rulesCommand(root, before, ['diff', candidateFile, `--out=${join(workDir, 'diff.json')}`]);
    log(diff.stdout);
    const apply = await rulesCommand(root, before, ['apply', candidateFile]);
    log(apply.stdout);
    const again = await rulesCommand(root, { databaseUrl, rulesFile: candidateFile }, ['apply', candidateFile]);
    log(again.stdout);
    if (!again.stdout.includes('nothing to do')) {
      throw new Error(`a second apply of version ${candidate.version} did something: ${again.stdout}`);
    }
    return {
      rulesDiffUsersPerSecond: users / diff.seconds,
      rulesApplyUsersPerSecond: users / apply.seconds,
      rulesSecondApplySeconds: again.seconds,
    };
  } finally {
    await pool.end();
    rmSync(workDir, { recursive: true, force: true });
  }
}
