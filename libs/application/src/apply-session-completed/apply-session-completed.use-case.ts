import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, GAMIFICATION_RULES } from '@app/config';
import {
  DEFAULT_TIME_ZONE,
  firstOccurrences,
  localDateOf,
  SessionCompletedDecider,
  type GamificationRules,
  type SessionDecision,
} from '@app/domain';
import { UserProgressRepository, type OutboxEntry } from '@app/persistence';
import { awardOutbox } from '../award-events/award-outbox';
import { Clock } from '../clock/clock';
import type { ApplySessionBatchCommand, ApplySessionCompletedCommand } from './apply-session-completed.command';

export type ApplySessionCompletedOutcome =
  | { readonly status: 'applied'; readonly decision: SessionDecision; readonly awardEvents: number }
  | { readonly status: 'duplicate' };

const DAY_MS = 86_400_000;

/** The one code path that turns completed sessions into progress, shared by the worker and the api. */
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
    const [outcome] = await this.executeBatch({ sessions: [session], source });
    return outcome;
  }

  /**
   * Outcomes in the order of the sessions. The first message with an eventId is the event; a later
   * one with the same id, in this run or any other, is a duplicate whatever its other fields.
   */
  async executeBatch({ sessions, source }: ApplySessionBatchCommand): Promise<ApplySessionCompletedOutcome[]> {
    const now = this.clock.now();
    const unique = firstOccurrences(sessions);
    const byEventId = new Map(unique.map((session) => [session.eventId, session]));
    const decided = new Map<string, { decision: SessionDecision; awardEvents: number }>();
    // A local day that began before UTC's yesterday has ended everywhere: its challenges cannot change.
    const challengesFrom = localDateOf(new Date(now.getTime() - DAY_MS), DEFAULT_TIME_ZONE);
    const statuses = await this.progress.applyBatch(
      unique.map((session) => ({ eventId: session.eventId, userId: session.userId, sessionId: session.sessionId, source })),
      now,
      challengesFrom,
      (claimed, state) => {
        const claimedSessions = claimed.map((key) => byEventId.get(key.eventId)!);
        const decisions = this.decider.decideAll(claimedSessions, state.progress, state.challengeDays, now);
        const outbox: OutboxEntry[] = [];
        for (const { session, decision } of decisions) {
          const entries =
            decision.outcome === 'counted'
              ? awardOutbox(this.config.topics, {
                  userId: session.userId,
                  sourceEventId: session.eventId,
                  badges: decision.badgesAwarded,
                  levelUp: decision.levelChange && { change: decision.levelChange, totalXp: decision.totals.totalXp },
                  decidedAt: now,
                })
              : [];
          outbox.push(...entries);
          decided.set(session.eventId, { decision, awardEvents: entries.length });
        }
        return { decisions, outbox };
      },
    );
    return sessions.map((session) => {
      const applied = decided.get(session.eventId);
      return byEventId.get(session.eventId) === session && statuses.get(session.eventId) === 'applied' && applied !== undefined
        ? { status: 'applied', ...applied }
        : { status: 'duplicate' };
    });
  }
}
