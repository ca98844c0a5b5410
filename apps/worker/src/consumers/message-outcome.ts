import type { ApplySessionCompletedOutcome } from '@app/application';
import type { DeadLetterCode } from '@app/messaging';

/**
 * What became of one message of a run: applied, a duplicate of an event applied before (skipped),
 * rejected (sent to the DLQ with its code), or retry: not handled, because the consumer stopped
 * while waiting out a fault; the run is then left uncommitted and redelivered.
 */
export type MessageOutcome =
  | ApplySessionCompletedOutcome
  | { readonly status: 'rejected'; readonly code: DeadLetterCode; readonly reason: string }
  | { readonly status: 'retry' };

/** An outcome that ends the message's handling in this run. */
export type SettledOutcome = Exclude<MessageOutcome, { readonly status: 'retry' }>;

export const RETRY: MessageOutcome = { status: 'retry' };

/** A valid-looking event that could not be applied for a deterministic reason. */
export function processingFailed(error: unknown): MessageOutcome {
  return { status: 'rejected', code: 'PROCESSING_FAILED', reason: `applying the event failed: ${(error as Error).message}` };
}
