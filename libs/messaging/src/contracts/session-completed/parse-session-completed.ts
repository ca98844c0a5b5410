import { validateSync, type ValidationError } from 'class-validator';
import type { CompletedSession } from '@app/domain';
import type { RejectionCode } from '../dead-letter-code';
import { RFC3339_WITH_OFFSET, SessionCompletedV1 } from './value';

/** How far ahead of the engine's clock completedAt may be. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;


export type ParsedSessionCompleted =
  | { readonly ok: true; readonly session: CompletedSession }
  | { readonly ok: false; readonly code: RejectionCode; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/**
 * Postgres stores no instant or date in year 0 (its calendar goes from 1 BC to AD 1), so a session
 * before this instant, whose UTC or local date could fall in year 0, could never be stored.
 */
const EARLIEST_STORABLE = Date.parse('0001-01-02T00:00:00Z');

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/**
 * The instant an RFC 3339 timestamp names, or null when a field is out of range: Date alone would
 * roll 30 February over into March. Refused although luxon took them: a second of 60, hour 24,
 * offsets of 24 hours or 60 minutes (none is RFC 3339), and year 0000.
 */
function instantOf(timestamp: string): Date | null {
  const fields = RFC3339_WITH_OFFSET.exec(timestamp);
  if (fields === null) {
    return null;
  }
  const [year, month, day, hour, minute, second] = fields.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = fields.slice(7, 9).map((field) => Number(field ?? 0));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return null;
  }
  const instant = new Date(timestamp);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/**
 * The event's fields as SessionCompletedV1, for class-validator: only the contract's own fields are
 * copied (unknown ones are ignored), so that a "__proto__" key in the JSON cannot reach the prototype.
 */
function sessionCompletedV1(document: Readonly<Record<string, unknown>>): SessionCompletedV1 {
  const { eventId, userId, sessionId, completedAt, durationSeconds, score, timezone, skills } = document;
  return Object.assign(new SessionCompletedV1(), { eventId, userId, sessionId, completedAt, durationSeconds, score, timezone, skills });
}

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
  const event = sessionCompletedV1(document as Record<string, unknown>);
  const errors = validateSync(event);
  if (errors.length > 0) {
    return reject('SCHEMA_VIOLATION', describe(errors));
  }
  const completedAt = instantOf(event.completedAt);
  if (completedAt === null) {
    return reject('SCHEMA_VIOLATION', `completedAt: ${event.completedAt} is not a real date and time`);
  }
  if (completedAt.getTime() < EARLIEST_STORABLE) {
    return reject('SCHEMA_VIOLATION', `completedAt: ${event.completedAt} is before 0001-01-02, the earliest the engine can store`);
  }
  if (completedAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    return reject('SCHEMA_VIOLATION', 'completedAt: more than 5 minutes in the future of the engine clock');
  }
  return {
    ok: true,
    session: {
      eventId: event.eventId,
      userId: event.userId,
      sessionId: event.sessionId,
      completedAt,
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
