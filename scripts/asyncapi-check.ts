import { relative } from 'node:path';
import { ASYNCAPI_FILE, describeDiagnostics, isError, parseAsyncApi } from '../libs/testing/src/asyncapi-document';

/**
 * npm run asyncapi:check — validates docs/asyncapi.yaml with @asyncapi/parser and prints every
 * diagnostic; exits 1 on an error. The unit tests hold it to no diagnostic at all.
 */
async function main(): Promise<void> {
  const { document, diagnostics } = await parseAsyncApi();
  for (const line of describeDiagnostics(diagnostics)) {
    console.log(line);
  }
  const errors = diagnostics.filter(isError).length;
  if (document === undefined || errors > 0) {
    console.error(`${relative(process.cwd(), ASYNCAPI_FILE)}: ${errors} error(s)`);
    process.exit(1);
  }
  const operations = document.operations().all();
  console.log(
    `${relative(process.cwd(), ASYNCAPI_FILE)}: AsyncAPI ${document.version()}, valid; ${diagnostics.length} diagnostic(s); ` +
      `${document.channels().all().length} channels, ${operations.filter((operation) => operation.action() === 'receive').length} received and ` +
      `${operations.filter((operation) => operation.action() === 'send').length} sent, ${document.allMessages().all().length} messages`,
  );
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
