import 'reflect-metadata';
import { ConfigurationError } from '@app/config';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const worker = await createWorker();
  worker.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((error: unknown) => {
  // A bad setting gets its own message and no stack trace: the message names what to fix.
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
