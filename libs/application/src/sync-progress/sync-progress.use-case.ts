import { Inject, Injectable } from '@nestjs/common';
import { GAMIFICATION_RULES } from '@app/config';
import { ProgressReevaluator, type GamificationRules } from '@app/domain';
import { UnitOfWork, UserProfileRepository } from '@app/persistence';
import { AwardsRecorder } from '../award-events/awards.recorder';
import { Clock } from '../clock/clock';
import { LockedProgressLoader } from '../user-progress/locked-progress.loader';
import type { SyncProgressCommand } from './sync-progress.command';

@Injectable()
export class SyncProgressUseCase {
  private readonly reevaluator: ProgressReevaluator;

  constructor(
    @Inject(GAMIFICATION_RULES) rules: GamificationRules,
    private readonly unitOfWork: UnitOfWork,
    private readonly progress: LockedProgressLoader,
    private readonly profiles: UserProfileRepository,
    private readonly awards: AwardsRecorder,
    private readonly clock: Clock,
  ) {
    this.reevaluator = new ProgressReevaluator(rules);
  }

  /** Re-evaluates streak and badges from what is recorded, in one transaction under the user's lock. */
  async execute({ userId }: SyncProgressCommand): Promise<void> {
    const now = this.clock.now();
    await this.unitOfWork.run(async (transaction) => {
      const recorded = await this.progress.lockOne(transaction, userId);
      const { streak, badgesAwarded } = this.reevaluator.reevaluate(recorded);
      await this.profiles.storeStreak(transaction, userId, streak);
      await this.awards.record(transaction, { userId, sourceEventId: `sync:${userId}`, badges: badgesAwarded, levelUp: null, decidedAt: now });
    });
  }
}
