import 'reflect-metadata';
import { ConfigurationError } from '@app/config';
import { ApplicationError } from '@app/application';
import { runLeaderboardsCommand } from './leaderboards.command';
import { runRulesCommand, UsageError } from './rules.command';

const [first, ...rest] = process.argv.slice(2);
const command = first === 'leaderboards' ? runLeaderboardsCommand(rest) : runRulesCommand(process.argv.slice(2));

// A bad file or a bad call gets its problems named and no stack trace: the message says what to fix.
command.then(
  () => process.exit(0),
  (error: unknown) => {
    const named = error instanceof ConfigurationError || error instanceof UsageError || error instanceof ApplicationError;
    console.error(named ? error.message : error);
    process.exit(1);
  },
);
