import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, GAMIFICATION_RULES } from '@app/config';
import { ProgressReevaluator, type GamificationRules } from '@app/domain';
import { UserProgressRepository } from '@app/persistence';
import { awardOutbox } from '../award-events/award-outbox';
import { Clock } from '../clock/clock';
import type { SyncProgressCommand } from './sync-progress.command';

@Injectable()
export class SyncProgressUseCase {
  private readonly reevaluator: ProgressReevaluator;

  constructor(
    @Inject(GAMIFICATION_RULES) rules: GamificationRules,
    private readonly config: AppConfig,
    private readonly progress: UserProgressRepository,
    private readonly clock: Clock,
  ) {
    this.reevaluator = new ProgressReevaluator(rules);
  }

  async execute({ userId }: SyncProgressCommand): Promise<void> {
    const now = this.clock.now();
    const sourceEventId = `sync:${userId}`;
    await this.progress.reevaluate(userId, now, sourceEventId, (recorded) => {
      const reevaluation = this.reevaluator.reevaluate(recorded);
      const outbox = awardOutbox(this.config.topics, {
        userId,
        sourceEventId,
        badges: reevaluation.badgesAwarded,
        levelUp: null,
        decidedAt: now,
      });
      return { reevaluation, outbox };
    });
  }
}
