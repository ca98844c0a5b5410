import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ApplyRulesCommand, ApplyRulesUseCase, DiffRulesCommand, DiffRulesUseCase, RulesHistoryUseCase, RulesInForce } from '@app/application';
import { loadRulesFile } from '@app/config';
import { assertSupersedes, RulesVersionError, type GamificationRules, type RulesDiffSummary } from '@app/domain';
import { CliModule } from './cli.module';
import { ProgressBar } from './progress-bar';
import { StderrConsoleLogger } from './stderr-console.logger';

export const USAGE = `usage: npm run rules -- check FILE
       npm run rules -- diff FILE [--out=PATH] [--batch=USERS]
       npm run rules -- apply FILE [--batch=USERS] [--by=NAME]
       npm run rules -- history`;

/** A call or a rules file that the command refuses: the message says what to fix. */
export class UsageError extends Error {}

interface FileArguments {
  readonly command: 'check' | 'diff' | 'apply';
  readonly file: string;
  readonly out: string | null;
  readonly batch: number;
  readonly by: string;
}

type Arguments = { readonly command: 'history' } | FileArguments;

const OPTIONS: Readonly<Record<string, readonly string[]>> = { check: [], diff: ['out', 'batch'], apply: ['batch', 'by'], history: [] };

export function parseArguments(argv: readonly string[]): Arguments {
  const positional = argv.filter((arg) => !arg.startsWith('--'));
  const flags = new Map(argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
  const [command, file, ...extra] = positional;
  const allowed = OPTIONS[command ?? ''];
  if (allowed === undefined || (command === 'history') !== (file === undefined) || extra.length > 0) {
    throw new UsageError(USAGE);
  }
  for (const name of flags.keys()) {
    if (!allowed.includes(name)) {
      throw new UsageError(`unknown option --${name} for ${command}\n${USAGE}`);
    }
  }
  if (command === 'history') {
    return { command };
  }
  const batch = Number(flags.get('batch') ?? (command === 'apply' ? 500 : 1000));
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) {
    throw new UsageError(`--batch must be a whole number of users from 1 to 100000\n${USAGE}`);
  }
  const by = flags.get('by') ?? `${userInfo().username}@${hostname()}`;
  return { command: command as 'check' | 'diff' | 'apply', file: file!, out: flags.get('out') ?? null, batch, by };
}

/** The file's problems, or its version's against the rules in force, as the command's refusal. */
function refused(file: string, error: unknown): unknown {
  return error instanceof RulesVersionError ? new UsageError(error.problems.map((problem) => `${file}: ${problem}`).join('\n')) : error;
}

const count = (record: Readonly<Record<string, number>>) =>
  Object.keys(record).length === 0 ? 'none' : Object.entries(record).map(([key, users]) => `${key} ${users}`).join(', ');

function summaryLines(summary: RulesDiffSummary, changed: string): string[] {
  const delta = summary.xpDelta;
  return [
    `  users scanned            ${summary.usersScanned}`,
    `  users who ${changed.padEnd(15)}${summary.usersChanged.any} (XP ${summary.usersChanged.xp}, level ${summary.usersChanged.level}, badges ${summary.usersChanged.badges})`,
    `  XP delta                 ${delta === null ? 'no users' : `min ${delta.min}, p50 ${delta.p50}, p99 ${delta.p99}, max ${delta.max}`}`,
    `  badges newly earned      ${count(summary.newlyEarnedBadges)}`,
    `  levels newly reached     ${count(summary.newlyReachedLevels)}`,
  ];
}

async function diff(app: INestApplicationContext, args: FileArguments, candidate: GamificationRules, inForce: GamificationRules): Promise<void> {
  const progress = new ProgressBar(`diff v${inForce.version} → v${candidate.version}`, 'users');
  const summary = await app
    .get(DiffRulesUseCase)
    .execute(new DiffRulesCommand(candidate, args.batch), ({ scanned, total }) => progress.update(scanned, total))
    .catch((error: unknown) => Promise.reject(refused(args.file, error)));
  process.stdout.write(
    [`diff of ${args.file} (version ${candidate.version}) against the rules in force (version ${inForce.version}), nothing changed:`, ...summaryLines(summary, 'would change'), ''].join('\n'),
  );
  const out = args.out ?? `.cache/rules/diff-v${inForce.version}-to-v${candidate.version}.json`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ file: args.file, fromVersion: inForce.version, toVersion: candidate.version, ...summary }, null, 2)}\n`);
  process.stdout.write(`written to ${out}\n`);
}

async function apply(app: INestApplicationContext, args: FileArguments, candidate: GamificationRules): Promise<void> {
  const progress = new ProgressBar(`apply v${candidate.version}`, 'users');
  const result = await app
    .get(ApplyRulesUseCase)
    .execute(new ApplyRulesCommand(candidate, args.file, args.by, args.batch), ({ done, total }) => progress.update(done, total))
    .catch((error: unknown) => Promise.reject(refused(args.file, error)));
  if (result.status === 'already-in-force') {
    process.stdout.write(`${args.file}: version ${result.version} is in force already; nothing to do\n`);
    return;
  }
  process.stdout.write(
    [
      `apply of ${args.file} (version ${result.toVersion}) over version ${result.fromVersion}${result.resumed ? ', resuming an apply that was interrupted' : ''}:`,
      ...summaryLines(result.summary, 'changed'),
      `  award events queued      ${result.awardEvents} (the worker's outbox relay publishes them)`,
      `version ${result.toVersion} is in force`,
      '',
    ].join('\n'),
  );
}

async function history(app: INestApplicationContext): Promise<void> {
  const { history: versions } = await app.get(RulesHistoryUseCase).execute();
  const lines = versions.map(
    (version) => `  ${String(version.version).padStart(4)}  ${version.status.padEnd(13)}  ${version.startedAt}  ${version.appliedBy}  ${version.source}`,
  );
  process.stdout.write([`rules versions, newest first:`, ...lines, ''].join('\n'));
}

export async function runRulesCommand(argv: readonly string[]): Promise<void> {
  const args = parseArguments(argv);
  // The file is checked on its own before anything connects: its problems do not need a database.
  const candidate = args.command === 'history' ? null : loadRulesFile(args.file);
  const app = await NestFactory.createApplicationContext(CliModule, { logger: new StderrConsoleLogger({ logLevels: ['error', 'warn'] }) });
  try {
    if (candidate === null) {
      return await history(app);
    }
    const inForce = await app.get(RulesInForce).current();
    switch (args.command) {
      case 'check':
        try {
          assertSupersedes(candidate, inForce);
        } catch (error) {
          throw refused(args.file, error);
        }
        process.stdout.write(
          `${args.file}: valid, version ${candidate.version} (in force: ${inForce.version}): ${candidate.badges.length} badges, ${candidate.challenges.length} challenge templates, levels up to ${candidate.levels.maxLevel}\n`,
        );
        return;
      case 'diff':
        return await diff(app, args, candidate, inForce);
      case 'apply':
        return await apply(app, args, candidate);
    }
  } finally {
    await app.close();
  }
}
