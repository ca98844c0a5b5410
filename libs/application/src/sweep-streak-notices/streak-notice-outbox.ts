import type { Topics } from '@app/config';
import type { StreakNotice } from '@app/domain';
import { streakNoticeV1 } from '@app/messaging';
import type { OutboxEntry } from '@app/persistence';

const TOPIC_OF: Readonly<Record<StreakNotice['type'], keyof Topics>> = {
  'streak.at_risk': 'streakAtRisk',
  'streak.frozen': 'streakFrozen',
  'streak.lost': 'streakLost',
};

/** A user's streak notices as outbox entries keyed by userId, each on its type's topic. */
export function streakNoticeOutbox(topics: Topics, notices: ReadonlyArray<{ readonly userId: string; readonly notice: StreakNotice }>): OutboxEntry[] {
  return notices.map(({ userId, notice }) => {
    const event = streakNoticeV1(userId, notice);
    return { eventId: event.eventId, topic: topics[TOPIC_OF[notice.type]], key: userId, payload: { ...event } };
  });
}
