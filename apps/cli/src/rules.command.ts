import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { DiffRulesCommand, DiffRulesUseCase } from '@app/application';
import { GAMIFICATION_RULES, loadAppConfig, loadRulesFile } from '@app/config';
import { assertSupersedes, RulesVersionError, type GamificationRules, type RulesDiffSummary } from '@app/domain';
import { CliModule } from './cli.module';
import { ProgressBar } from './progress-bar';

export const USAGE = `usage: npm run rules -- check FILE
       npm run rules -- diff FILE [--out=PATH] [--batch=USERS]`;

/** A call or a rules file that the command refuses: the message says what to fix. */
export class UsageError extends Error {}

interface Arguments {
  readonly command: 'check' | 'diff';
  readonly file: string;
  readonly out: string | null;
  readonly batch: number;
}

export function parseArguments(argv: readonly string[]): Arguments {
  const positional = argv.filter((arg) => !arg.startsWith('--'));
  const flags = new Map(argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
  const [command, file, ...extra] = positional;
  if ((command !== 'check' && command !== 'diff') || file === undefined || extra.length > 0) {
    throw new UsageError(USAGE);
  }
  for (const name of flags.keys()) {
    if (name !== 'out' && name !== 'batch') {
      throw new UsageError(`unknown option --${name}\n${USAGE}`);
    }
  }
  const batch = Number(flags.get('batch') ?? 1000);
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) {
    throw new UsageError(`--batch must be a whole number of users from 1 to 100000\n${USAGE}`);
  }
  return { command, file, out: flags.get('out') ?? null, batch };
}

/** check: the file is valid rules, and its version is higher than the version in force. */
function check(file: string): GamificationRules {
  const candidate = loadRulesFile(file);
  const inForce = loadRulesFile(loadAppConfig(process.env, 'operator').rulesFile);
  try {
    assertSupersedes(candidate, inForce);
  } catch (error) {
    throw error instanceof RulesVersionError ? new UsageError(`${file}: ${error.message}`) : error;
  }
  return candidate;
}

function printSummary(file: string, candidate: GamificationRules, summary: RulesDiffSummary): void {
  const count = (record: Readonly<Record<string, number>>) =>
    Object.keys(record).length === 0 ? 'none' : Object.entries(record).map(([key, users]) => `${key} ${users}`).join(', ');
  const delta = summary.xpDelta;
  process.stdout.write(
    [
      `diff of ${file} (version ${candidate.version}) against the rules in force, nothing changed:`,
      `  users scanned            ${summary.usersScanned}`,
      `  users who would change   ${summary.usersChanged.any} (XP ${summary.usersChanged.xp}, level ${summary.usersChanged.level}, badges ${summary.usersChanged.badges})`,
      `  XP delta                 ${delta === null ? 'no users' : `min ${delta.min}, p50 ${delta.p50}, p99 ${delta.p99}, max ${delta.max}`}`,
      `  badges newly earned      ${count(summary.newlyEarnedBadges)}`,
      `  levels newly reached     ${count(summary.newlyReachedLevels)}`,
      '',
    ].join('\n'),
  );
}

export async function runRulesCommand(argv: readonly string[]): Promise<void> {
  const args = parseArguments(argv);
  const candidate = check(args.file);
  if (args.command === 'check') {
    process.stdout.write(
      `${args.file}: valid, version ${candidate.version}: ${candidate.badges.length} badges, ${candidate.challenges.length} challenge templates, levels up to ${candidate.levels.maxLevel}\n`,
    );
    return;
  }
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    const inForce = app.get<GamificationRules>(GAMIFICATION_RULES);
    const progress = new ProgressBar(`diff v${inForce.version} → v${candidate.version}`, 'users');
    const summary = await app.get(DiffRulesUseCase).execute(new DiffRulesCommand(candidate, args.batch), ({ scanned, total }) => progress.update(scanned, total));
    printSummary(args.file, candidate, summary);
    const out = args.out ?? `.cache/rules/diff-v${inForce.version}-to-v${candidate.version}.json`;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ file: args.file, fromVersion: inForce.version, toVersion: candidate.version, ...summary }, null, 2)}\n`);
    process.stdout.write(`written to ${out}\n`);
  } finally {
    await app.close();
  }
}
