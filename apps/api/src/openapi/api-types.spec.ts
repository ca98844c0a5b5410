import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { projectRoot } from '@app/dev-stack';
import { API_TYPES_FILE, renderApiTypes } from './api-types';
import { openApiDocumentFromCode } from './openapi-document';

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
/** getProfile, claimChallenge, listLeaderboards: a lower-case verb, then the noun. */
const VERB_NOUN = /^[a-z]+[A-Z][A-Za-z]*$/;

/** The first line where the two texts part, as a diff would show it. */
function firstDifference(committed: string, generated: string): string {
  const committedLines = committed.split('\n');
  const generatedLines = generated.split('\n');
  const line = committedLines.findIndex((text, index) => text !== generatedLines[index]);
  const at = line === -1 ? committedLines.length : line;
  return `line ${at + 1}:\n- ${committedLines[at] ?? '(end of file)'}\n+ ${generatedLines[at] ?? '(end of file)'}`;
}

describe('the OpenAPI document and the dashboard’s API types', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    document = await openApiDocumentFromCode();
  });

  it('names every operation with an explicit verb-noun operationId of its own, not Nest’s Controller_method', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.has(method))
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operationId: (operation as { operationId?: string }).operationId })),
    );
    expect(operations.filter(({ operationId }) => operationId === undefined || !VERB_NOUN.test(operationId))).toEqual([]);
    const operationIds = operations.map(({ operationId }) => operationId);
    expect(operationIds.filter((operationId, index) => operationIds.indexOf(operationId) !== index)).toEqual([]);
  });

  it(`keeps ${API_TYPES_FILE} what openapi-typescript generates from the document`, async () => {
    const committed = readFileSync(join(projectRoot(), API_TYPES_FILE), 'utf8');
    const generated = await renderApiTypes(document);
    if (generated !== committed) {
      throw new Error(
        `${API_TYPES_FILE} is not what the api's code generates: run \`npm run api:types\` and commit the result.\n` +
          `First difference, ${firstDifference(committed, generated)}`,
      );
    }
  });
});
