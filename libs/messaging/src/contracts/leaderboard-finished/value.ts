import { deterministicEventId } from '../event-id';

/** leaderboard.finished (CONTRACT.md section 9), as published: a board's period that became final. */
export interface LeaderboardFinishedV1 {
  readonly eventId: string;
  readonly type: 'leaderboard.finished';
  readonly code: string;
  readonly periodKey: string;
  readonly start: string;
  readonly end: string;
  readonly participants: number;
  /** The first 10 of the final ranking. */
  readonly top: ReadonlyArray<{ readonly rank: number; readonly userId: string; readonly xp: number }>;
}

/**
 * The event of a final period. Its eventId depends on the board and the period only, so a sweep that
 * runs again, or a second sweeper, queues the same event.
 */
export function leaderboardFinishedV1(finished: Omit<LeaderboardFinishedV1, 'eventId' | 'type'>): LeaderboardFinishedV1 {
  return { eventId: deterministicEventId('leaderboard.finished', finished.code, finished.periodKey), type: 'leaderboard.finished', ...finished };
}
