import { ConsoleLogger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, enabledLogLevels } from '@app/config';
import { WorkerModule, type WorkerModuleOptions } from './worker.module';

/** Boots the worker without an HTTP server: consumer, relay and their dependencies. */
export async function createWorker(options: WorkerModuleOptions = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(options), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(
    new ConsoleLogger({
      logLevels: enabledLogLevels(app.get(AppConfig).logLevel),
      prefix: 'worker',
      colors: process.stdout.isTTY === true,
    }),
  );
  return app;
}
