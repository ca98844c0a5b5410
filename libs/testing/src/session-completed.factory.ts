import type { CompletedSession } from '@app/domain';
import { validateSessionCompleted } from '@app/messaging';
import { randomUUID } from 'node:crypto';

export interface SessionCompletedMessage {
  eventId: string;
  userId: string;
  sessionId: string;
  completedAt: string;
  durationSeconds: number;
  score?: number | null;
  timezone?: string | null;
  [unknown: string]: unknown;
}

/** A valid SessionCompleted v1 document; override what the test is about. */
export function aSessionCompleted(overrides: Partial<SessionCompletedMessage> = {}): SessionCompletedMessage {
  return {
    eventId: randomUUID(),
    userId: `user-${randomUUID().slice(0, 8)}`,
    sessionId: `sess-${randomUUID().slice(0, 8)}`,
    completedAt: new Date().toISOString(),
    durationSeconds: 1800,
    score: 82,
    timezone: 'UTC',
    ...overrides,
  };
}

/** A user id no other test uses. */
export function aUserId(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 12)}`;
}

/**
 * A fixed-offset IANA zone in which it is around midday at `now`, so that "today" in tests is the
 * same local day a few minutes earlier and later, whenever the tests run.
 */
export function aZoneAtMidday(now = new Date()): string {
  const hours = ((12 - now.getUTCHours() + 36) % 24) - 12;
  // Etc/GMT zones carry the POSIX sign: Etc/GMT-3 is three hours ahead of UTC.
  return hours === 0 ? 'Etc/GMT' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

/** The session as the engine sees it once the message passed validation, as the consumer and the api parse it. */
export function parsedSession(document: SessionCompletedMessage, now = new Date()): CompletedSession {
  const result = validateSessionCompleted(document, now);
  if (!result.ok) {
    throw new Error(`not a valid SessionCompleted v1: ${result.message}`);
  }
  return result.session;
}
