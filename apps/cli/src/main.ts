import 'reflect-metadata';
import { ConfigurationError } from '@app/config';
import { runRulesCommand, UsageError } from './rules.command';

// A bad file or a bad call gets its problems named and no stack trace: the message says what to fix.
runRulesCommand(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof ConfigurationError || error instanceof UsageError ? error.message : error);
    process.exit(1);
  },
);
