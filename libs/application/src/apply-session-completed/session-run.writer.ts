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
  type OutboxEntry,
  type Transaction,
} from '@app/persistence';
import { allTimeStandings } from '../leaderboards/all-time-standings';
import { streakNoticeOutbox } from '../sweep-streak-notices/streak-notice-outbox';
import { sessionRunEffects, type StreakNoticesBefore } from './session-run.effects';

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

  /** Returns what changed on the boards, for Redis once the transaction commits. */
  async write(
    transaction: Transaction,
    decided: { readonly decisions: readonly DecidedSessionOutcome[]; readonly rulesVersion: number; readonly leaderboards: LeaderboardTally },
    outbox: readonly OutboxEntry[],
    streaks: StreakNoticesBefore,
  ): Promise<ChangedStandings> {
    const { now } = streaks;
    const effects = sessionRunEffects(decided.decisions, decided.rulesVersion, streaks, decided.leaderboards);
    const xpStandings = await this.profiles.storeTotals(transaction, effects.totals, now);
    await this.profiles.storeZones(transaction, effects.zonesOnly, now);
    await this.practiceDays.add(transaction, effects.practiceDays);
    await this.badges.award(transaction, effects.badges, now);
    await this.challenges.storeDays(transaction, effects.challengeDays, now);
    await this.processedEvents.recordOutcomes(transaction, effects.ledger);
    await this.outbox.append(transaction, [...outbox, ...streakNoticeOutbox(this.config.topics, effects.streakNotices)]);
    return this.leaderboards.add(transaction, effects.standings, allTimeStandings(decided.leaderboards.rules, xpStandings));
  }
}
