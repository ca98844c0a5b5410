import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigurationError } from '@app/config';
import { ApiModule } from './api.module';

async function main(): Promise<void> {
  const app = await NestFactory.create(ApiModule.forRoot(), { abortOnError: false });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const { host, port } = app.get(AppConfig).http;
  await app.listen(port, host);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
