export const APPLICATION_ERROR_CODES = [
  'CHALLENGE_NOT_FOUND',
  'CHALLENGE_NOT_COMPLETED',
  'CHALLENGE_ALREADY_CLAIMED',
  'CHALLENGE_EXPIRED',
  'LEADERBOARD_NOT_FOUND',
  /** A badge the caller has not earned, or no badge at all: there is no credential to give (contract section 11). */
  'BADGE_NOT_EARNED',
  /** A code that no rules version has as a badge. */
  'BADGE_NOT_FOUND',
  /** A board missing from Redis while Postgres already answers as many reads of boards as it may. */
  'LEADERBOARD_REBUILDING',
  /** A request that names something the rules do not have (a period a board has not, say). */
  'VALIDATION_FAILED',
] as const;
export type ApplicationErrorCode = (typeof APPLICATION_ERROR_CODES)[number];

/** A request the rules refuse; the code is part of the HTTP contract. */
export class ApplicationError extends Error {
  constructor(
    readonly code: ApplicationErrorCode,
    message: string,
    /** When the request may succeed if sent again: the Retry-After of a temporary refusal. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApplicationError';
  }
}
