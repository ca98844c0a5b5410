import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface, type Diagnostic, type MessageInterface } from '@asyncapi/parser';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ASYNCAPI_DOCUMENT_PATH } from '@app/messaging';

/** The engine's AsyncAPI document, as committed. */
export const ASYNCAPI_FILE = join(__dirname, '..', '..', '..', ASYNCAPI_DOCUMENT_PATH);

const SEVERITY = ['error', 'warning', 'information', 'hint'] as const;

export interface ParsedAsyncApi {
  readonly document: AsyncAPIDocumentInterface | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * The document through @asyncapi/parser with its full ruleset, but for the rule that asks for the
 * newest AsyncAPI version: the document keeps to 3.0.0, which more tools read than 3.1.
 */
export async function parseAsyncApi(file = ASYNCAPI_FILE): Promise<ParsedAsyncApi> {
  const parser = new Parser({ ruleset: { extends: [], rules: { 'asyncapi-latest-version': 'off' } } });
  return parser.parse(readFileSync(file, 'utf8'), { source: file });
}

/** One line per diagnostic: severity, rule, line:column, path and message. */
export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map(
    (diagnostic) =>
      `${SEVERITY[diagnostic.severity]} ${String(diagnostic.code)} ${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ${diagnostic.path.join('.')}: ${diagnostic.message}`,
  );
}

export function isError(diagnostic: Diagnostic): boolean {
  return diagnostic.severity === DiagnosticSeverity.Error;
}

/** A Kafka message as it is on the wire: key, headers and value as UTF-8 text. */
export interface WireMessage {
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string;
}

interface MessageSchemas {
  readonly name: string;
  readonly json: boolean;
  readonly payload: ValidateFunction;
  readonly headers: ValidateFunction | null;
  readonly key: ValidateFunction | null;
}

// The parser marks every schema node with x-parser-* keys; Ajv's strict mode refuses unknown keywords.
function withoutParserKeys(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    return schema.map(withoutParserKeys);
  }
  if (typeof schema === 'object' && schema !== null) {
    return Object.fromEntries(Object.entries(schema).filter(([key]) => !key.startsWith('x-parser-')).map(([key, value]) => [key, withoutParserKeys(value)]));
  }
  return schema;
}

/**
 * The document's schemas for each channel address (the default topic names), compiled with Ajv, to
 * hold real messages against: payload, headers and the Kafka key.
 */
export class AsyncApiMessages {
  private constructor(private readonly byAddress: ReadonlyMap<string, MessageSchemas>) {}

  static from(document: AsyncAPIDocumentInterface): AsyncApiMessages {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    const compile = (schema: unknown) => ajv.compile(withoutParserKeys(schema) as object);
    const byAddress = new Map<string, MessageSchemas>();
    // From the operations: the parser's message.channels() finds nothing in a 3.0 document.
    for (const operation of document.operations().all()) {
      const address = operation.channels().all()[0].address()!;
      const [message] = operation.messages().all() as MessageInterface[];
      const key = message.bindings().get('kafka')?.value()?.key as unknown;
      byAddress.set(address, {
        name: message.name() ?? address,
        json: message.contentType() === 'application/json',
        payload: compile(message.payload()!.json()),
        headers: message.hasHeaders() ? compile(message.headers()!.json()) : null,
        key: key === undefined ? null : compile(key),
      });
    }
    return new AsyncApiMessages(byAddress);
  }

  /** What is wrong with a message read from `address`, per the document; empty when it conforms. */
  problems(address: string, message: WireMessage): string[] {
    const schemas = this.byAddress.get(address);
    if (schemas === undefined) {
      return [`the document has no channel ${address}`];
    }
    const problems: string[] = [];
    const check = (part: string, validate: ValidateFunction | null, value: unknown) => {
      if (validate !== null && !validate(value)) {
        problems.push(...(validate.errors ?? []).map((error) => `${schemas.name} ${part}${error.instancePath}: ${error.message}`));
      }
    };
    let payload: unknown = message.value;
    if (schemas.json) {
      try {
        payload = JSON.parse(message.value);
      } catch {
        return [`${schemas.name} payload: not JSON`];
      }
    }
    check('payload', schemas.payload, payload);
    check('headers', schemas.headers, message.headers);
    check('key', schemas.key, message.key);
    return problems;
  }
}
