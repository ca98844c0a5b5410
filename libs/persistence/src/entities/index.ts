import { DailyChallengeEntity } from './daily-challenge.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { PracticeDayEntity } from './practice-day.entity';
import { ProcessedEventEntity } from './processed-event.entity';
import { RulesVersionEntity } from './rules-version.entity';
import { UserBadgeEntity } from './user-badge.entity';
import { UserProfileEntity } from './user-profile.entity';

export {
  DailyChallengeEntity,
  OutboxMessageEntity,
  PracticeDayEntity,
  ProcessedEventEntity,
  RulesVersionEntity,
  UserBadgeEntity,
  UserProfileEntity,
};

export const entities = [
  UserProfileEntity,
  PracticeDayEntity,
  UserBadgeEntity,
  DailyChallengeEntity,
  ProcessedEventEntity,
  OutboxMessageEntity,
  RulesVersionEntity,
];
