import { randomUUID } from 'node:crypto';
import type { SessionCompletedMessage } from './session-completed.factory';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];

/**
 * Valid SessionCompleted documents for `users` users over the last three weeks, every one naming its
 * zone (so the expected practice days do not depend on arrival order), with a mix of scores and
 * durations, some too short to count.
 */
export function sessionStream(prefix: string, users: number, count: number): SessionCompletedMessage[] {
  return Array.from({ length: count }, (_, index) => {
    const user = index % users;
    return {
      eventId: randomUUID(),
      userId: `${prefix}-${user}`,
      sessionId: `s-${index}`,
      completedAt: new Date(Date.now() - (1 + ((index * 7919) % 20)) * 86_400_000 - ((index * 104_729) % 86_400_000)).toISOString(),
      durationSeconds: index % 17 === 0 ? 30 : 300 + ((index * 37) % 3300),
      ...(index % 9 === 0 ? {} : { score: (index * 13) % 101 }),
      timezone: ZONES[user % ZONES.length],
    };
  });
}
