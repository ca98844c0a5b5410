import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { StreakNotifier, type StreakNotice } from '@app/domain';
import { OutboxRepository, UnitOfWork, UserProfileRepository, type StreakNoticeState } from '@app/persistence';
import { Clock } from '../clock/clock';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import { streakNoticeOutbox } from './streak-notice-outbox';

export interface StreakSweepResult {
  /** False when another worker held the sweep from the start: this one did nothing. */
  readonly swept: boolean;
  readonly users: number;
  readonly notices: Readonly<Record<StreakNotice['type'], number>>;
}

/**
 * The clock-driven streak notices of contract section 8: at `now`, every user whose next due instant
 * has come is read under their row's lock, their due notices are queued in the outbox, and where
 * they stand is stored with the next instant to look again, in the same transaction, a batch at a
 * time. One worker sweeps at a time (a transaction-scoped advisory lock); should two ever queue the
 * same notice, its eventId (user, type, local date) makes it one row.
 */
@Injectable()
export class SweepStreakNoticesUseCase {
  constructor(
    private readonly config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly profiles: UserProfileRepository,
    private readonly outbox: OutboxRepository,
    private readonly rulesInForce: RulesInForce,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<StreakSweepResult> {
    // One instant for the whole sweep, so that it ends however long it takes.
    const now = this.clock.now();
    const { batchSize } = this.config.streakSweep;
    const notices = { 'streak.at_risk': 0, 'streak.frozen': 0, 'streak.lost': 0 };
    let users = 0;
    let batches = 0;
    for (;;) {
      const batch = await this.unitOfWork.run(async (transaction) => {
        if (!(await this.profiles.takeStreakSweepLock(transaction))) {
          return null;
        }
        const notifier = new StreakNotifier((await this.rulesInForce.newestIn(transaction)).streakReminderLocalTime);
        const due = await this.profiles.lockDueStreaks(transaction, now, batchSize);
        const queued: Array<{ userId: string; notice: StreakNotice }> = [];
        const states = due.map(({ userId, watch }): { userId: string; notices: StreakNoticeState } => {
          const result = notifier.due(watch, now);
          queued.push(...result.notices.map((notice) => ({ userId, notice })));
          return { userId, notices: { cursor: result.cursor, dueAt: result.nextDueAt } };
        });
        await this.outbox.append(transaction, streakNoticeOutbox(this.config.topics, queued));
        await this.profiles.storeStreakNotices(transaction, states);
        return { users: due.length, queued };
      });
      if (batch === null) {
        return { swept: batches > 0, users, notices };
      }
      batches += 1;
      users += batch.users;
      for (const { notice } of batch.queued) {
        notices[notice.type] += 1;
      }
      if (batch.users < batchSize) {
        return { swept: true, users, notices };
      }
    }
  }
}
