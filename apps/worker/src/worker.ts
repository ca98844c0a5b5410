import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { SessionCompletedConsumer } from './consumers/session-completed.consumer';
import { WorkerModule, type WorkerModuleOptions } from './worker.module';

/**
 * Boots the worker without an HTTP server: consumer, relay and their dependencies. Resolves once the
 * consumer holds its partitions.
 */
export async function createWorker(options: WorkerModuleOptions = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(options), {
    bufferLogs: true,
    abortOnError: false,
  });
  // Flushes what Nest held back during bootstrap; every line from here on is written as it happens.
  app.useLogger(app.get(Logger));
  // Topic creation and the group join wait on the broker (a join can wait out a dead member's
  // session), so they run after the logger is attached, where each step shows while it lasts.
  try {
    await app.get(SessionCompletedConsumer).start();
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
