export const APPLICATION_ERROR_CODES = [
  'CHALLENGE_NOT_FOUND',
  'CHALLENGE_NOT_COMPLETED',
  'CHALLENGE_ALREADY_CLAIMED',
  'CHALLENGE_EXPIRED',
  'LEADERBOARD_NOT_FOUND',
  /** A request that names something the rules do not have (a period a board has not, say). */
  'VALIDATION_FAILED',
] as const;
export type ApplicationErrorCode = (typeof APPLICATION_ERROR_CODES)[number];

/** A request the rules refuse; the code is part of the HTTP contract. */
export class ApplicationError extends Error {
  constructor(
    readonly code: ApplicationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApplicationError';
  }
}
