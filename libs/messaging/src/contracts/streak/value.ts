import type { StreakNotice } from '@app/domain';
import { deterministicEventId } from '../event-id';

/** streak.at_risk, streak.frozen and streak.lost (CONTRACT.md section 8), as published. */
export type StreakNoticeV1 =
  | { readonly eventId: string; readonly type: 'streak.at_risk'; readonly userId: string; readonly localDate: string; readonly currentStreak: number; readonly freezesHeld: number; readonly dayEndsAt: string }
  | { readonly eventId: string; readonly type: 'streak.frozen'; readonly userId: string; readonly frozenDate: string; readonly currentStreak: number; readonly freezesHeld: number }
  | { readonly eventId: string; readonly type: 'streak.lost'; readonly userId: string; readonly lostOn: string; readonly previousStreak: number };

/** The local date a notice is about: with the user and the type, what its eventId is derived from. */
export function streakNoticeDate(notice: StreakNotice): string {
  switch (notice.type) {
    case 'streak.at_risk':
      return notice.localDate;
    case 'streak.frozen':
      return notice.frozenDate;
    case 'streak.lost':
      return notice.lostOn;
  }
}

/**
 * The event of a notice. Its eventId depends on the user, the type and the local date only, so a
 * sweep that runs again after a crash, or a second sweeper, queues the same event, and the outbox
 * (unique on event_id) keeps one.
 */
export function streakNoticeV1(userId: string, notice: StreakNotice): StreakNoticeV1 {
  const eventId = deterministicEventId(notice.type, userId, streakNoticeDate(notice));
  switch (notice.type) {
    case 'streak.at_risk':
      return {
        eventId,
        type: notice.type,
        userId,
        localDate: notice.localDate,
        currentStreak: notice.currentStreak,
        freezesHeld: notice.freezesHeld,
        dayEndsAt: notice.dayEndsAt.toISOString(),
      };
    case 'streak.frozen':
      return { eventId, type: notice.type, userId, frozenDate: notice.frozenDate, currentStreak: notice.currentStreak, freezesHeld: notice.freezesHeld };
    case 'streak.lost':
      return { eventId, type: notice.type, userId, lostOn: notice.lostOn, previousStreak: notice.previousStreak };
  }
}
