import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_TYPES_FILE, renderApiTypes } from '../apps/api/src/openapi/api-types';
import type * as OpenApiDocumentSource from '../apps/api/src/openapi/openapi-document';

const PROJECT_ROOT = join(__dirname, '..');
const BUILT_OPENAPI_DOCUMENT = join(PROJECT_ROOT, 'dist', 'apps', 'api', 'apps', 'api', 'src', 'openapi', 'openapi-document.js');

/**
 * npm run api:types — writes the dashboard's API types from the api's OpenAPI document. The document
 * comes from the api's build (`nest build api` runs first): Nest reads a DTO's field types from the
 * decorator metadata that tsc emits and tsx does not.
 */
async function main(): Promise<void> {
  const { openApiDocumentFromCode } = (await import(pathToFileURL(BUILT_OPENAPI_DOCUMENT).href)) as typeof OpenApiDocumentSource;
  writeFileSync(join(PROJECT_ROOT, API_TYPES_FILE), await renderApiTypes(await openApiDocumentFromCode()));
  process.stderr.write(`wrote ${API_TYPES_FILE}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
