import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { DateTime } from 'luxon';
import type { CompletedSession } from '@app/domain';
import type { RejectionCode } from '../dead-letter-code';
import { SessionCompletedV1 } from './value';

/** How far ahead of the engine's clock completedAt may be. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;


export type ParsedSessionCompleted =
  | { readonly ok: true; readonly session: CompletedSession }
  | { readonly ok: false; readonly code: RejectionCode; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function reject(code: RejectionCode, message: string): ParsedSessionCompleted {
  return { ok: false, code, message };
}

function describe(errors: readonly ValidationError[]): string {
  return errors
    .map((error) => `${error.property}: ${[...new Set(Object.values(error.constraints ?? {}))].join('; ')}`)
    .join(' | ');
}

/** Validates an already-decoded SessionCompleted v1 document against the contract. */
export function validateSessionCompleted(document: unknown, now: Date): ParsedSessionCompleted {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return reject('SCHEMA_VIOLATION', 'the message must be a JSON object');
  }
  const event = plainToInstance(SessionCompletedV1, document);
  const errors = validateSync(event);
  if (errors.length > 0) {
    return reject('SCHEMA_VIOLATION', describe(errors));
  }
  const completedAt = DateTime.fromISO(event.completedAt, { setZone: true });
  if (!completedAt.isValid) {
    return reject('SCHEMA_VIOLATION', `completedAt: ${event.completedAt} is not a real date and time`);
  }
  if (completedAt.toMillis() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    return reject('SCHEMA_VIOLATION', 'completedAt: more than 5 minutes in the future of the engine clock');
  }
  return {
    ok: true,
    session: {
      eventId: event.eventId,
      userId: event.userId,
      sessionId: event.sessionId,
      completedAt: completedAt.toJSDate(),
      durationSeconds: event.durationSeconds,
      score: event.score ?? null,
      timezone: event.timezone ?? null,
      // Repeats count once (contract section 7).
      skills: [...new Set(event.skills ?? [])],
    },
  };
}

/** Decodes and validates the raw bytes of a session.completed message. */
export function parseSessionCompleted(value: Buffer | null, now: Date): ParsedSessionCompleted {
  if (value === null || value.length === 0) {
    return reject('INVALID_JSON', 'the message has no value');
  }
  let document: unknown;
  try {
    document = JSON.parse(utf8.decode(value));
  } catch (error) {
    return reject('INVALID_JSON', `the message is not UTF-8 JSON (${(error as Error).message})`);
  }
  return validateSessionCompleted(document, now);
}
