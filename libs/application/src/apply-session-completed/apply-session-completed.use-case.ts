import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, GAMIFICATION_RULES } from '@app/config';
import { SessionCompletedDecider, type GamificationRules, type SessionDecision } from '@app/domain';
import { UserProgressRepository } from '@app/persistence';
import { awardOutbox } from '../award-events/award-outbox';
import { Clock } from '../clock/clock';
import type { ApplySessionCompletedCommand } from './apply-session-completed.command';

export type ApplySessionCompletedOutcome =
  | { readonly status: 'applied'; readonly decision: SessionDecision; readonly awardEvents: number }
  | { readonly status: 'duplicate' };

/** The one code path that turns a completed session into progress, shared by the worker and the api. */
@Injectable()
export class ApplySessionCompletedUseCase {
  private readonly decider: SessionCompletedDecider;

  constructor(
    @Inject(GAMIFICATION_RULES) rules: GamificationRules,
    private readonly config: AppConfig,
    private readonly progress: UserProgressRepository,
    private readonly clock: Clock,
  ) {
    this.decider = new SessionCompletedDecider(rules);
  }

  async execute({ session, source }: ApplySessionCompletedCommand): Promise<ApplySessionCompletedOutcome> {
    const now = this.clock.now();
    let awardEvents = 0;
    const result = await this.progress.applyOnce(
      { eventId: session.eventId, userId: session.userId, sessionId: session.sessionId, source },
      now,
      async (progress, loadChallengeDay) => {
        const challengeDay = await loadChallengeDay(this.decider.practiceDateOf(session, progress));
        const decision = this.decider.decide(session, progress, challengeDay, now);
        const outbox =
          decision.outcome === 'counted'
            ? awardOutbox(this.config.topics, {
                userId: session.userId,
                sourceEventId: session.eventId,
                badges: decision.badgesAwarded,
                levelUp: decision.levelChange && { change: decision.levelChange, totalXp: decision.totals.totalXp },
                decidedAt: now,
              })
            : [];
        awardEvents = outbox.length;
        return { decision, outbox };
      },
    );
    return result.status === 'applied' ? { ...result, awardEvents } : result;
  }
}
