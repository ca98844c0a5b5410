import type { LevelChange } from '@app/domain';
import { deterministicEventId } from '../event-id';

/** LevelUp v1 (CONTRACT.md section 3): one event per decision, from the first to the last level. */
export interface LevelUpV1 {
  readonly eventId: string;
  readonly type: 'level.up';
  readonly userId: string;
  readonly previousLevel: number;
  readonly newLevel: number;
  readonly totalXp: number;
  readonly occurredAt: string;
  readonly sourceEventId: string;
}

export function levelUpV1(
  userId: string,
  change: LevelChange,
  totalXp: number,
  sourceEventId: string,
  occurredAt: Date,
): LevelUpV1 {
  return {
    eventId: deterministicEventId('level.up', sourceEventId, userId, String(change.newLevel)),
    type: 'level.up',
    userId,
    previousLevel: change.previousLevel,
    newLevel: change.newLevel,
    totalXp,
    occurredAt: occurredAt.toISOString(),
    sourceEventId,
  };
}
