import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ApiModule } from '../api.module';

/**
 * Settings that only have to pass validation: in preview mode Nest instantiates no provider, so
 * nothing connects to them. Development, so that the document has the dashboard's sign-in routes.
 */
const PREVIEW_ENV = {
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://preview.invalid/openapi',
  REDIS_URL: 'redis://preview.invalid',
  KAFKA_BROKERS: 'preview.invalid:9092',
  JWT_SECRET: 'preview-only-never-verifies-any-token',
};

/** The OpenAPI document of the api's routes: what /docs-json serves and what the dashboard's types are generated from. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Gamification engine')
      .setDescription('Profiles, daily challenges and progress sync. Errors are {statusCode, code, message}.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
}

/** The document from the code alone, with no database, Redis or Kafka: the api in Nest's preview mode. */
export async function openApiDocumentFromCode(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(ApiModule.forRoot(PREVIEW_ENV), { preview: true, logger: false, abortOnError: false });
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
