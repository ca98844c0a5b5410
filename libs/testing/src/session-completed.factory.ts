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
