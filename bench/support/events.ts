import { randomUUID } from 'node:crypto';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'America/Los_Angeles', 'Australia/Sydney'];

export interface BenchEvent {
  readonly key: string;
  readonly value: string;
  readonly eventId: string;
}

/** A small deterministic generator, so that runs are comparable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A realistic mix: users practise on several of the last seven days, scores spread over 0..100 (some
 * sessions unscored), durations from 20 s to an hour (some too short to count), a zone per user,
 * and about 1 % of events delivered twice.
 */
export function sessionEvents(count: number, users: number, userPrefix: string, now = Date.now(), seed = 42): BenchEvent[] {
  const next = random(seed);
  const events: BenchEvent[] = [];
  while (events.length < count) {
    const user = Math.floor(next() * users);
    const userId = `${userPrefix}-${user}`;
    const event = {
      eventId: randomUUID(),
      userId,
      sessionId: `s-${events.length}`,
      completedAt: new Date(now - Math.floor(next() * 7 * 86_400_000) - 60_000).toISOString(),
      durationSeconds: next() < 0.1 ? 20 + Math.floor(next() * 40) : 300 + Math.floor(next() * 3300),
      ...(next() < 0.15 ? {} : { score: Math.floor(next() * 101) }),
      timezone: ZONES[user % ZONES.length],
    };
    const message = { key: userId, value: JSON.stringify(event), eventId: event.eventId };
    events.push(message);
    if (next() < 0.01 && events.length < count) {
      events.push(message);
    }
  }
  return events;
}

/** One fresh user per event: every event earns FIRST_STEPS, so every event causes a badge.awarded. */
export function firstSessionEvent(userPrefix: string, index: number): BenchEvent {
  const eventId = randomUUID();
  const userId = `${userPrefix}-${index}`;
  const value = JSON.stringify({
    eventId,
    userId,
    sessionId: `s-${index}`,
    completedAt: new Date().toISOString(),
    durationSeconds: 900,
    score: 75,
    timezone: 'UTC',
  });
  return { key: userId, value, eventId };
}

export function uniqueCount(events: readonly BenchEvent[]): number {
  return new Set(events.map((event) => event.eventId)).size;
}
