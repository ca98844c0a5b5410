import { NestFactory } from '@nestjs/core';
import { RebuildLeaderboardsUseCase, type PeriodSelector } from '@app/application';
import { LeaderboardRanks } from '@app/persistence';
import { CliModule } from './cli.module';
import { ProgressBar } from './progress-bar';
import { UsageError } from './rules.command';
import { StderrConsoleLogger } from './stderr-console.logger';

export const LEADERBOARDS_USAGE = `usage: npm run leaderboards:rebuild -- [--board=CODE] [--period=current|previous|KEY]
  builds boards in Redis again from Postgres: every board's current period by default;
  --period=previous for the period before it; a period key (2026-W48, 2026-11, all) needs --board`;

interface RebuildArguments {
  readonly board: string | null;
  readonly period: PeriodSelector;
}

export function parseLeaderboardsArguments(argv: readonly string[]): RebuildArguments {
  const [command, ...rest] = argv;
  const flags = new Map(rest.map((arg) => arg.replace(/^--/, '').split('=') as [string, string | undefined]));
  if (command !== 'rebuild' || rest.some((arg) => !arg.startsWith('--'))) {
    throw new UsageError(LEADERBOARDS_USAGE);
  }
  for (const [name, value] of flags) {
    if (!['board', 'period'].includes(name) || value === undefined || value === '') {
      throw new UsageError(`${value === undefined || value === '' ? `--${name} needs a value` : `unknown option --${name}`}\n${LEADERBOARDS_USAGE}`);
    }
  }
  const period = flags.get('period') ?? 'current';
  const board = flags.get('board') ?? null;
  if (period !== 'current' && period !== 'previous' && board === null) {
    throw new UsageError(`--period=${period} names one board's period: give --board too\n${LEADERBOARDS_USAGE}`);
  }
  return { board, period: period === 'current' || period === 'previous' ? period : { key: period } };
}

/** `npm run leaderboards:rebuild`: what a reader would start on a missing board, on an operator's demand, with progress. */
export async function runLeaderboardsCommand(argv: readonly string[]): Promise<void> {
  const args = parseLeaderboardsArguments(argv);
  const app = await NestFactory.createApplicationContext(CliModule, { logger: new StderrConsoleLogger({ logLevels: ['error', 'warn'] }) });
  try {
    if (!app.get(LeaderboardRanks).available) {
      throw new UsageError('REDIS_URL: the boards are built in Redis; set REDIS_URL (redis://host:port) and REDIS_KEY_PREFIX as the api and the worker have them');
    }
    const bars = new Map<string, ProgressBar>();
    const rebuilt = await app.get(RebuildLeaderboardsUseCase).execute(args.board, args.period, ({ code, periodKey }, written, total) => {
      const label = `${code} ${periodKey}`;
      const bar = bars.get(label) ?? new ProgressBar(label, 'standings');
      bars.set(label, bar);
      bar.update(written, total);
    });
    for (const { code, periodKey, result } of rebuilt) {
      const outcome = {
        built: () => `built from Postgres, ${result.status === 'built' ? result.standings : 0} standings`,
        busy: () => 'another process is building it now; nothing done',
        interrupted: () => 'interrupted: Redis lost the board during the build (flushed or restarted); run the command again',
      }[result.status]();
      process.stdout.write(`${code} ${periodKey}: ${outcome}\n`);
    }
  } finally {
    await app.close();
  }
}
