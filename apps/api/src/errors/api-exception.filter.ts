import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import { ApplicationError, type ApplicationErrorCode } from '@app/application';
import { isTransientDatabaseError } from '@app/persistence';
import { ApiError, type ErrorBody } from './api-error';

const APPLICATION_STATUS: Record<ApplicationErrorCode, number> = {
  CHALLENGE_NOT_FOUND: HttpStatus.NOT_FOUND,
  CHALLENGE_NOT_COMPLETED: HttpStatus.CONFLICT,
  CHALLENGE_ALREADY_CLAIMED: HttpStatus.CONFLICT,
  CHALLENGE_EXPIRED: HttpStatus.GONE,
  LEADERBOARD_NOT_FOUND: HttpStatus.NOT_FOUND,
  BADGE_NOT_EARNED: HttpStatus.NOT_FOUND,
  BADGE_NOT_FOUND: HttpStatus.NOT_FOUND,
  LEADERBOARD_REBUILDING: HttpStatus.SERVICE_UNAVAILABLE,
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Express's body parser errors, which Nest hands on as the cause of an HttpException. */
interface BodyParserError {
  readonly status: number;
  readonly type: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string' &&
    typeof (error as BodyParserError).status === 'number';
}

/**
 * Every error leaves as {statusCode, code, message}: no stack trace, SQL or internal name. What a
 * client could not have caused is logged and answered 500 (or 503 while the database is away).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { body, headers } = this.describe(exception);
    // A refusal the use case chose (LEADERBOARD_REBUILDING) is expected under load, not a fault to log.
    if (body.statusCode >= 500 && !(exception instanceof ApplicationError)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    response.status(body.statusCode).set(headers).json(body);
  }

  private describe(exception: unknown): { body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof ApiError) {
      return { body: exception.getResponse() as ErrorBody, headers: { ...exception.headers } };
    }
    if (exception instanceof ApplicationError) {
      return {
        body: { statusCode: APPLICATION_STATUS[exception.code], code: exception.code, message: exception.message },
        headers: exception.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(exception.retryAfterSeconds) },
      };
    }
    if (exception instanceof ThrottlerException) {
      return { body: { statusCode: 429, code: 'RATE_LIMITED', message: 'Too many requests; retry later.' }, headers: {} };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      if (isBodyParserError(exception.cause) && exception.cause.type === 'entity.parse.failed') {
        return { body: { statusCode: 400, code: 'MALFORMED_JSON', message: 'The request body is not valid JSON.' }, headers: {} };
      }
      const status = exception.getStatus();
      return { body: { statusCode: status, code: CODE_BY_STATUS[status] ?? 'BAD_REQUEST', message: exception.message }, headers: {} };
    }
    if (isTransientDatabaseError(exception)) {
      return {
        body: { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'The service is briefly unavailable; retry shortly.' },
        headers: { 'Retry-After': '1' },
      };
    }
    return { body: { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error.' }, headers: {} };
  }
}
