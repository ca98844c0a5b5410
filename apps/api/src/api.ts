import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Express } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@app/config';
import { Logger } from 'nestjs-pino';
import { ApiModule } from './api.module';
import { ApiError } from './errors/api-error';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { createOpenApiDocument } from './openapi/openapi-document';
import { securityHeaders } from './security/security-headers';

const BODY_LIMIT = '16kb';
const DOCS_PATH = 'docs';

/** Builds the api with everything main.ts serves: limits, validation, error shape and the OpenAPI document. */
export async function createApi(env?: Readonly<Record<string, string | undefined>>): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(env), {
    abortOnError: false,
    bufferLogs: true,
    bodyParser: false,
  });
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  // First, so that every response carries them, errors and static files included.
  app.use(securityHeaders(`/${DOCS_PATH}`));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        new ApiError(
          400,
          'VALIDATION_FAILED',
          errors.map((error) => `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`).join(' | '),
        ),
    }),
  );
  SwaggerModule.setup(DOCS_PATH, app, createOpenApiDocument(app), { jsonDocumentUrl: `${DOCS_PATH}-json` });
  const indexHtml = resolve(config.webDistDir, 'index.html');
  if (existsSync(indexHtml)) {
    // The Locker Room is index.html at / and hashed files under /assets/: mounted there only, so that
    // the api's routes do not each pay a file lookup first.
    app.useStaticAssets(join(config.webDistDir, 'assets'), { prefix: '/assets/', immutable: true, maxAge: '1y' });
    (app.getHttpAdapter().getInstance() as Express).get('/', (_request, response) => response.sendFile(indexHtml, { maxAge: '1h' }));
  }
  await app.init();
  return app;
}
