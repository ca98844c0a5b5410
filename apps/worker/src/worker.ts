import { ConsoleLogger, type INestApplicationContext, type LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, LOG_LEVELS, type LogLevel } from '@app/config';
import { WorkerModule, type WorkerModuleOptions } from './worker.module';

function enabledLevels(threshold: LogLevel): NestLogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(threshold) + 1);
}

/** Boots the worker without an HTTP server: consumer, relay and their dependencies. */
export async function createWorker(options: WorkerModuleOptions = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(options), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(
    new ConsoleLogger({
      logLevels: enabledLevels(app.get(AppConfig).logLevel),
      prefix: 'worker',
      colors: process.stdout.isTTY === true,
    }),
  );
  return app;
}
