import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { OutboxRepository, UserBadgesRepository, type Transaction } from '@app/persistence';
import { awardOutbox, type AwardsDecided } from './award-outbox';

/** Records one decision's badges and queues its award events, in the caller's transaction. */
@Injectable()
export class AwardsRecorder {
  constructor(
    private readonly config: AppConfig,
    private readonly badges: UserBadgesRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async record(transaction: Transaction, awards: AwardsDecided): Promise<void> {
    const { userId, sourceEventId, decidedAt } = awards;
    await this.badges.award(
      transaction,
      awards.badges.map((badge) => ({ userId, badge, sourceEventId })),
      decidedAt,
    );
    await this.outbox.append(transaction, awardOutbox(this.config.topics, awards));
  }
}
