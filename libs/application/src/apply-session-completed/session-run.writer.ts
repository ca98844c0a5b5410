import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { DecidedSessionOutcome, LeaderboardTally } from '@app/domain';
import {
  DailyChallengesRepository,
  LeaderboardRepository,
  OutboxRepository,
  PracticeDaysRepository,
  ProcessedEventsRepository,
  UserBadgesRepository,
  UserProfileRepository,
  type ChangedStandings,
  type EventSource,
  type OutboxEntry,
  type Transaction,
} from '@app/persistence';
import { allTimeStandings } from '../leaderboards/all-time-standings';
import { streakNoticeOutbox } from '../sweep-streak-notices/streak-notice-outbox';
import { sessionRunEffects, type StreakNoticesBefore } from './session-run.effects';

/**
 * Another transaction recorded some of the run's events while this one decided them (a duplicate
 * delivered at the same moment, on another partition or through the api): this run's decisions
 * about them are void, and the transaction must be rolled back and the run decided again.
 */
export class EventsRecordedMeanwhile extends Error {
  constructor(readonly eventIds: readonly string[]) {
    super(`${eventIds.length} event(s) of the run were recorded by another transaction meanwhile: ${eventIds.slice(0, 3).join(', ')}`);
    this.name = 'EventsRecordedMeanwhile';
  }
}

/** Writes what a run of sessions decided, in the caller's transaction: one statement per table. */
@Injectable()
export class SessionRunWriter {
  constructor(
    private readonly config: AppConfig,
    private readonly profiles: UserProfileRepository,
    private readonly practiceDays: PracticeDaysRepository,
    private readonly badges: UserBadgesRepository,
    private readonly challenges: DailyChallengesRepository,
    private readonly processedEvents: ProcessedEventsRepository,
    private readonly outbox: OutboxRepository,
    private readonly leaderboards: LeaderboardRepository,
  ) {}

  /**
   * Returns what changed on the boards, for Redis once the transaction commits. The ledger is written
   * first: if another transaction recorded one of the events meanwhile, EventsRecordedMeanwhile is
   * thrown before any other table is written here (what the caller wrote before, such as the
   * profiles its lock created, rolls back with the transaction).
   */
  async write(
    transaction: Transaction,
    decided: {
      readonly decisions: readonly DecidedSessionOutcome[];
      readonly rulesVersion: number;
      readonly leaderboards: LeaderboardTally;
      readonly source: EventSource;
    },
    outbox: readonly OutboxEntry[],
    streaks: StreakNoticesBefore,
  ): Promise<ChangedStandings> {
    const { now } = streaks;
    const effects = sessionRunEffects(decided.decisions, decided.rulesVersion, decided.source, streaks, decided.leaderboards);
    const recorded = await this.processedEvents.record(transaction, effects.ledger, now);
    if (recorded.size < effects.ledger.length) {
      throw new EventsRecordedMeanwhile(effects.ledger.filter(({ eventId }) => !recorded.has(eventId)).map(({ eventId }) => eventId));
    }
    const xpStandings = await this.profiles.storeTotals(transaction, effects.totals, now);
    await this.profiles.storeZones(transaction, effects.zonesOnly, now);
    await this.practiceDays.add(transaction, effects.practiceDays);
    await this.badges.award(transaction, effects.badges, now);
    await this.challenges.storeDays(transaction, effects.challengeDays, now);
    await this.outbox.append(transaction, [...outbox, ...streakNoticeOutbox(this.config.topics, effects.streakNotices)]);
    return this.leaderboards.add(transaction, effects.standings, allTimeStandings(decided.leaderboards.rules, xpStandings));
  }
}
