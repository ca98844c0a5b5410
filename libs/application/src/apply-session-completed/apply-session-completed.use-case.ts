import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, GAMIFICATION_RULES } from '@app/config';
import { SessionCompletedDecider, type GamificationRules, type SessionDecision } from '@app/domain';
import { badgeAwardedV1, levelUpV1 } from '@app/messaging';
import { UserProgressRepository, type OutboxEntry } from '@app/persistence';
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
        const outbox = this.awardEvents(session.userId, session.eventId, decision, now);
        awardEvents = outbox.length;
        return { decision, outbox };
      },
    );
    return result.status === 'applied' ? { ...result, awardEvents } : result;
  }

  private awardEvents(userId: string, sourceEventId: string, decision: SessionDecision, now: Date): OutboxEntry[] {
    if (decision.outcome !== 'counted') {
      return [];
    }
    const badges = decision.badgesAwarded.map((badge) => {
      const event = badgeAwardedV1(userId, badge, sourceEventId, now);
      return { eventId: event.eventId, topic: this.config.topics.badgeAwarded, key: userId, payload: { ...event } };
    });
    if (decision.levelChange === null) {
      return badges;
    }
    const levelUp = levelUpV1(userId, decision.levelChange, decision.totals.totalXp, sourceEventId, now);
    return [...badges, { eventId: levelUp.eventId, topic: this.config.topics.levelUp, key: userId, payload: { ...levelUp } }];
  }
}
