import { HttpException } from '@nestjs/common';

/** The error body of every response: CONTRACT.md section 5. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
}

/** An HTTP error with the contract's body and, where it helps the client, headers. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super({ statusCode: status, code, message } satisfies ErrorBody, status);
  }
}
