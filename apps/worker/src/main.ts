import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigurationError } from '@app/config';
import { createWorker } from './worker';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/**
 * Supervisors allow about 10 s between SIGTERM and SIGKILL. A stop normally takes well under a
 * second (finish the run in hand, commit, leave the group); one that is stuck, for instance on a
 * database that does not answer, is cut short before that: its uncommitted run is redelivered.
 */
const SHUTDOWN_DEADLINE_MS = 9_000;

async function main(): Promise<void> {
  const worker = await createWorker();
  worker.enableShutdownHooks([...SHUTDOWN_SIGNALS]);
  const logger = new Logger('WorkerProcess');
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      logger.log({ signal }, `${signal} received: finishing the run in hand, committing and leaving the group`);
      setTimeout(() => {
        logger.error({ signal }, `shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms; exiting, uncommitted runs will be redelivered`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
}

main().catch((error: unknown) => {
  // A bad setting gets its own message and no stack trace: the message names what to fix.
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
