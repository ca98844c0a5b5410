import type { Topics } from '@app/config';
import type { BadgeDefinition, LevelChange } from '@app/domain';
import { badgeAwardedV1, levelUpV1 } from '@app/messaging';
import type { OutboxEntry } from '@app/persistence';

export interface AwardsDecided {
  readonly userId: string;
  /** The SessionCompleted eventId, or `challenge:<id>`, or `sync:<userId>`. */
  readonly sourceEventId: string;
  readonly badges: readonly BadgeDefinition[];
  /** The level change and the total XP it was reached with, if the decision levelled the user up. */
  readonly levelUp: { readonly change: LevelChange; readonly totalXp: number } | null;
  readonly decidedAt: Date;
}

/** The badge.awarded and level.up events of one decision, as outbox entries keyed by userId. */
export function awardOutbox(topics: Topics, awards: AwardsDecided): OutboxEntry[] {
  const { userId, sourceEventId, decidedAt } = awards;
  const entries: OutboxEntry[] = awards.badges.map((badge) => {
    const event = badgeAwardedV1(userId, badge, sourceEventId, decidedAt);
    return { eventId: event.eventId, topic: topics.badgeAwarded, key: userId, payload: { ...event } };
  });
  if (awards.levelUp !== null) {
    const event = levelUpV1(userId, awards.levelUp.change, awards.levelUp.totalXp, sourceEventId, decidedAt);
    entries.push({ eventId: event.eventId, topic: topics.levelUp, key: userId, payload: { ...event } });
  }
  return entries;
}
