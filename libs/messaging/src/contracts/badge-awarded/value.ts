import type { BadgeDefinition } from '@app/domain';
import { deterministicEventId } from '../event-id';

/** BadgeAwarded v1 (CONTRACT.md section 3). */
export interface BadgeAwardedV1 {
  readonly eventId: string;
  readonly type: 'badge.awarded';
  readonly userId: string;
  readonly badgeCode: string;
  readonly badgeName: string;
  readonly awardedAt: string;
  readonly sourceEventId: string;
}

export function badgeAwardedV1(userId: string, badge: BadgeDefinition, sourceEventId: string, awardedAt: Date): BadgeAwardedV1 {
  return {
    eventId: deterministicEventId('badge.awarded', sourceEventId, userId, badge.code),
    type: 'badge.awarded',
    userId,
    badgeCode: badge.code,
    badgeName: badge.name,
    awardedAt: awardedAt.toISOString(),
    sourceEventId,
  };
}
