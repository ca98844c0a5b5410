import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import { Logger } from 'nestjs-pino';
import { BatchConsumerServer } from '@app/messaging';
import { WorkerModule, type WorkerModuleOptions } from './worker.module';

/**
 * Boots the worker as a Nest microservice without an HTTP server: its transport (BatchConsumerServer,
 * from the module's own providers) feeds SessionCompletedConsumer's @EventPattern handler, beside the
 * relay and the sweepers. Resolves once the consumer holds its partitions.
 */
export async function createWorker(options: WorkerModuleOptions = {}): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice<AsyncMicroserviceOptions>(WorkerModule.forRoot(options), {
    inject: [BatchConsumerServer],
    useFactory: (strategy: BatchConsumerServer) => ({ strategy }),
    bufferLogs: true,
    abortOnError: false,
  });
  // Flushes what Nest held back during bootstrap; every line from here on is written as it happens.
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // Topic creation and the group join wait on the broker (a join can wait out a dead member's
  // session), so they run after the logger is attached, where each step shows while it lasts.
  try {
    await app.listen();
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
