import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { ProgressReevaluator, StreakNotifier } from '@app/domain';
import { OutboxRepository, UnitOfWork, UserProfileRepository } from '@app/persistence';
import { AwardsRecorder } from '../award-events/awards.recorder';
import { Clock } from '../clock/clock';
import { streakNoticeOutbox } from '../sweep-streak-notices/streak-notice-outbox';
import { LockedProgressLoader } from '../user-progress/locked-progress.loader';
import type { SyncProgressCommand } from './sync-progress.command';

@Injectable()
export class SyncProgressUseCase {
  constructor(
    private readonly config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly progress: LockedProgressLoader,
    private readonly profiles: UserProfileRepository,
    private readonly awards: AwardsRecorder,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
  ) {}

  /** Re-evaluates streak and badges from what is recorded, in one transaction under the user's lock. */
  async execute({ userId }: SyncProgressCommand): Promise<void> {
    const now = this.clock.now();
    await this.unitOfWork.run(async (transaction) => {
      const { rules, progress: recorded } = await this.progress.lockOne(transaction, userId, now);
      const { streak, badgesAwarded } = new ProgressReevaluator(rules).reevaluate(recorded);
      const before = recorded.streakWatch;
      const settled = new StreakNotifier(rules.streakReminderLocalTime).restate(before, { summary: streak, zone: before.zone }, now);
      await this.profiles.storeStreak(transaction, userId, streak, { cursor: settled.cursor, dueAt: settled.nextDueAt });
      await this.outbox.append(transaction, streakNoticeOutbox(this.config.topics, settled.notices.map((notice) => ({ userId, notice }))));
      await this.awards.record(transaction, { userId, sourceEventId: `sync:${userId}`, badges: badgesAwarded, levelUp: null, decidedAt: now });
    });
  }
}
