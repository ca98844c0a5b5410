import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { OutboxRepository, UserBadgesRepository, type Transaction } from '@app/persistence';
import { awardOutbox, type AwardsDecided } from './award-outbox';

/** Records decisions' badges and queues their award events, in the caller's transaction. */
@Injectable()
export class AwardsRecorder {
  constructor(
    private readonly config: AppConfig,
    private readonly badges: UserBadgesRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async record(transaction: Transaction, awards: AwardsDecided): Promise<void> {
    await this.recordAll(transaction, awards.decidedAt, [awards]);
  }

  /** The awards of many decisions made at one instant, in one statement per table. */
  async recordAll(transaction: Transaction, decidedAt: Date, decisions: ReadonlyArray<Omit<AwardsDecided, 'decidedAt'>>): Promise<void> {
    await this.badges.award(
      transaction,
      decisions.flatMap(({ userId, sourceEventId, badges }) => badges.map((badge) => ({ userId, badge, sourceEventId }))),
      decidedAt,
    );
    await this.outbox.append(
      transaction,
      decisions.flatMap((awards) => awardOutbox(this.config.topics, { ...awards, decidedAt })),
    );
  }
}
