import 'reflect-metadata';
import { AppConfig, ConfigurationError } from '@app/config';
import { createApi } from './api';

async function main(): Promise<void> {
  const app = await createApi();
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const { host, port } = app.get(AppConfig).http;
  await app.listen(port, host);
  console.error(`api listening on http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port} (OpenAPI UI at /docs)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
