import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import {
  DEFAULT_TIME_ZONE,
  firstOccurrences,
  LeaderboardTally,
  localDateOf,
  SessionCompletedDecider,
  StreakNotifier,
  type CompletedSession,
  type DecidedSessionOutcome,
  type SessionDecision,
} from '@app/domain';
import { DailyChallengesRepository, NO_CHANGE, ProcessedEventsRepository, UnitOfWork, type ChangedStandings, type EventSource, type OutboxEntry } from '@app/persistence';
import { awardOutbox } from '../award-events/award-outbox';
import { Clock } from '../clock/clock';
import { LeaderboardProjector } from '../leaderboards/leaderboard-projector';
import { LockedProgressLoader } from '../user-progress/locked-progress.loader';
import type { ApplySessionBatchCommand, ApplySessionCompletedCommand } from './apply-session-completed.command';
import { StageLaps, type RunStageObserver } from './run-stages';
import { EventsRecordedMeanwhile, SessionRunWriter } from './session-run.writer';

export type ApplySessionCompletedOutcome =
  | { readonly status: 'applied'; readonly decision: SessionDecision; readonly awardEvents: number }
  | { readonly status: 'duplicate' };

type Applied = Extract<ApplySessionCompletedOutcome, { readonly status: 'applied' }>;

const DAY_MS = 86_400_000;

/** The one code path that turns completed sessions into progress, shared by the worker and the api. */
@Injectable()
export class ApplySessionCompletedUseCase {
  private readonly logger = new Logger(ApplySessionCompletedUseCase.name);

  constructor(
    private readonly config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly processedEvents: ProcessedEventsRepository,
    private readonly progress: LockedProgressLoader,
    private readonly challenges: DailyChallengesRepository,
    private readonly writer: SessionRunWriter,
    private readonly clock: Clock,
    private readonly projector: LeaderboardProjector,
  ) {}

  async execute({ session, source }: ApplySessionCompletedCommand, observe?: RunStageObserver): Promise<ApplySessionCompletedOutcome> {
    const [outcome] = await this.executeBatch({ sessions: [session], source }, observe);
    return outcome;
  }

  /**
   * Outcomes in the order of the sessions. The first message with an eventId is the event; a later
   * one with the same id, in this run or any other, is a duplicate whatever its other fields.
   */
  async executeBatch({ sessions, source }: ApplySessionBatchCommand, observe?: RunStageObserver): Promise<ApplySessionCompletedOutcome[]> {
    const unique = firstOccurrences(sessions);
    const firsts = new Set(unique);
    const laps = new StageLaps(observe);
    const { applied, standings } = await this.applyUntilAlone(unique, source, laps);
    laps.lap('commit');
    await this.projector.project(standings);
    laps.lap('leaderboards');
    return sessions.map((session) => {
      const outcome = applied.get(session.eventId);
      return outcome !== undefined && firsts.has(session) ? outcome : { status: 'duplicate' };
    });
  }

  /**
   * Applies the sessions in one transaction, and again if another transaction recorded some of them
   * meanwhile: each time that happens, one more of them is a duplicate, so this ends.
   */
  private async applyUntilAlone(
    sessions: readonly CompletedSession[],
    source: EventSource,
    laps: StageLaps,
  ): Promise<{ readonly applied: ReadonlyMap<string, Applied>; readonly standings: ChangedStandings }> {
    for (;;) {
      try {
        return await this.decideAndStore(sessions, source, this.clock.now(), laps);
      } catch (error) {
        if (!(error instanceof EventsRecordedMeanwhile)) {
          throw error;
        }
        laps.lap('retried');
        this.logger.debug({ eventIds: error.eventIds }, `deciding a run of ${sessions.length} again: ${error.message}`);
      }
    }
  }

  /**
   * One transaction: leave out the eventIds recorded already, lock the users who have events left,
   * load their state under the rules in force, decide every event in order with those rules
   * (domain), and store the decisions, the ledger first, with their award events and the version
   * that made them. Returns the applied events by eventId and what changed on the boards.
   */
  private decideAndStore(
    sessions: readonly CompletedSession[],
    source: EventSource,
    now: Date,
    laps: StageLaps,
  ): Promise<{ readonly applied: ReadonlyMap<string, Applied>; readonly standings: ChangedStandings }> {
    // A local day that began before UTC's yesterday has ended everywhere: its challenges cannot change.
    const challengesFrom = localDateOf(new Date(now.getTime() - DAY_MS), DEFAULT_TIME_ZONE);
    return this.unitOfWork.run(async (transaction) => {
      const recorded = await this.processedEvents.recordedAmong(transaction, sessions.map(({ eventId }) => eventId));
      const fresh = sessions.filter((session) => !recorded.has(session.eventId));
      laps.lap('ledger read');
      if (fresh.length === 0) {
        return { applied: new Map(), standings: NO_CHANGE };
      }
      const { rules, progress } = await this.progress.lock(transaction, fresh.map((session) => session.userId), now);
      const challengeDays = await this.challenges.daysOf(transaction, [...progress.keys()], challengesFrom);
      laps.lap('load');
      const decisions = new SessionCompletedDecider(rules).decideAll(fresh, progress, challengeDays, now);
      const applied = new Map<string, Applied>();
      const outbox: OutboxEntry[] = [];
      for (const decided of decisions) {
        const entries = this.awardEvents(decided, now);
        outbox.push(...entries);
        applied.set(decided.session.eventId, { status: 'applied', decision: decided.decision, awardEvents: entries.length });
      }
      const streaks = {
        watches: new Map([...progress].map(([userId, user]) => [userId, user.streakWatch])),
        notifier: new StreakNotifier(rules.streakReminderLocalTime),
        now,
      };
      laps.lap('decide');
      const standings = await this.writer.write(transaction, { decisions, rulesVersion: rules.version, leaderboards: new LeaderboardTally(rules), source }, outbox, streaks);
      laps.lap('write');
      return { applied, standings };
    });
  }

  private awardEvents({ session, decision }: DecidedSessionOutcome, now: Date): OutboxEntry[] {
    if (decision.outcome !== 'counted') {
      return [];
    }
    return awardOutbox(this.config.topics, {
      userId: session.userId,
      sourceEventId: session.eventId,
      badges: decision.badgesAwarded,
      levelUp: decision.levelChange && { change: decision.levelChange, totalXp: decision.totals.totalXp },
      decidedAt: now,
    });
  }
}
