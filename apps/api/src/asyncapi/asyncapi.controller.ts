import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parse } from 'yaml';
import { AppConfig } from '@app/config';
import { ASYNCAPI_CHANNEL_TOPICS, ASYNCAPI_DOCUMENT_PATH } from '@app/messaging';
import { PublicDocument } from '../open-badges/public-document.decorator';

interface AsyncApiDocument {
  readonly channels: Record<string, { address: string }>;
}

/**
 * The AsyncAPI 3.0 document of every topic, beside the OpenAPI one at /docs: docs/asyncapi.yaml
 * as JSON, each channel's address the topic name this installation is configured with.
 */
@ApiTags('operations')
@Controller()
export class AsyncApiController {
  private readonly document: AsyncApiDocument;

  constructor(config: AppConfig) {
    const file = resolve(ASYNCAPI_DOCUMENT_PATH);
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: the api serves the AsyncAPI document from ${ASYNCAPI_DOCUMENT_PATH} under its working directory (the project's folder)`);
    }
    const document = parse(readFileSync(file, 'utf8')) as AsyncApiDocument;
    for (const [channel, topic] of Object.entries(ASYNCAPI_CHANNEL_TOPICS)) {
      document.channels[channel].address = config.topics[topic];
    }
    this.document = document;
  }

  @Get('asyncapi.json')
  @PublicDocument()
  @ApiOperation({ operationId: 'getAsyncApiDocument', summary: 'The AsyncAPI 3.0 document of the Kafka topics the engine reads and writes' })
  @ApiOkResponse({ description: 'An AsyncAPI 3.0.0 document', schema: { type: 'object', additionalProperties: true } })
  asyncApi(): AsyncApiDocument {
    return this.document;
  }
}
