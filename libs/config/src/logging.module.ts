import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { DestinationStream, Level } from 'pino';
import pretty from 'pino-pretty';
import { AppConfig, type LogLevel } from './app-config';

const PINO_LEVELS: Record<LogLevel, Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** Never written to a log, whichever line carries them. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  // pino matches a wildcard one level deep: these fields are redacted at the top of a logged object
  // and one level down, which is where the engine's own lines could carry them.
  'authorization',
  'password',
  'secret',
  'token',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a sane id, else a new one; echoed back on the response. */
function requestId(request: IncomingMessage, response: ServerResponse): string {
  const sent = request.headers['x-request-id'];
  const id = typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
  response.setHeader('x-request-id', id);
  return id;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * pino for every line of a process: JSON with service and version (LOG_FORMAT=json, the default
 * outside development), or one readable line each (pretty). Nest's own Logger calls go through it.
 */
@Module({})
export class LoggingModule {
  static forRoot(service: 'worker' | 'api'): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => {
            const options = {
              level: PINO_LEVELS[config.logLevel],
              base: { service, version: packageVersion() },
              redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
              genReqId: requestId,
              customAttributeKeys: { reqId: 'requestId' },
              // Lines logged while a request is handled carry its id as `requestId`, not the whole request.
              quietReqLogger: true,
              autoLogging: config.logRequests,
            };
            const stream: DestinationStream | undefined =
              config.logFormat === 'pretty'
                ? pretty({ sync: true, colorize: process.stdout.isTTY === true, ignore: 'pid,hostname,service,version', translateTime: 'SYS:HH:MM:ss.l' })
                : undefined;
            return { pinoHttp: stream === undefined ? options : [options, stream], renameContext: 'component' };
          },
        }),
      ],
    };
  }
}
