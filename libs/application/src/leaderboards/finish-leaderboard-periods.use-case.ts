import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { isFinal, periodContaining, periodOfKey, previousPeriod, type GamificationRules, type LeaderboardDefinition, type LeaderboardPeriod } from '@app/domain';
import { leaderboardFinishedV1 } from '@app/messaging';
import { LeaderboardRanks, LeaderboardRepository, OutboxRepository, RulesVersionsRepository, UnitOfWork } from '@app/persistence';
import { Clock } from '../clock/clock';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import { boardKeptUntil } from './board-retention';

const TOP = 10;
// A board announces at most this many periods per sweep (years of weeks after a long outage): the next sweep goes on.
const MOST_PERIODS_PER_SWEEP = 60;

export interface FinishedPeriod {
  readonly code: string;
  readonly periodKey: string;
  readonly participants: number;
}

/**
 * Announces the periods that became final (contract section 9): for each board, every period from
 * its first with XP (or the one after the last announced) to the latest final one, oldest first.
 * Each is recorded in leaderboard_finals and published as leaderboard.finished through the outbox,
 * once: the eventId comes from the board and the period, and the record is unique.
 *
 * The announcement takes the rules' version fence exclusively: decisions in flight commit first (their
 * XP is in the ranking published), and every later one finds the period recorded final and leaves it,
 * whatever its clock said when it began.
 *
 * A final period's board then leaves Redis once it is no longer the previous period (`boardKeptUntil`).
 * Each sweep sets that for the periods it announces and again for each board's latest final period,
 * so a sweep that announced while Redis was away leaves no board in it for good; Redis being away
 * holds up no announcement.
 */
@Injectable()
export class FinishLeaderboardPeriodsUseCase {
  private readonly logger = new Logger(FinishLeaderboardPeriodsUseCase.name);

  constructor(
    private readonly config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly rulesInForce: RulesInForce,
    private readonly versions: RulesVersionsRepository,
    private readonly leaderboards: LeaderboardRepository,
    private readonly outbox: OutboxRepository,
    private readonly ranks: LeaderboardRanks,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<FinishedPeriod[]> {
    const now = this.clock.now();
    const rules = await this.rulesInForce.current();
    const finished: FinishedPeriod[] = [];
    for (const board of rules.leaderboards.filter((candidate) => candidate.period !== 'all')) {
      const { lastFinal, first } = await this.unitOfWork.read(async (statements) => ({
        lastFinal: await this.leaderboards.lastFinalKey(statements, board.code),
        first: await this.leaderboards.firstPeriodKey(statements, board.code),
      }));
      // Null when the board's code was once a board of another period kind.
      const final = lastFinal === null ? [] : [periodOfKey(board.period, lastFinal, rules.leaderboardTimeZone)].filter((period) => period !== null);
      for (const period of this.unannounced(board, rules.leaderboardTimeZone, rules.leaderboardGraceHours, now, lastFinal, first)) {
        const announced = await this.announce(board.code, period, now);
        if (announced !== null) {
          finished.push(announced);
          final.push(period);
        }
      }
      await this.letGo(board.code, final, rules, now);
    }
    return finished;
  }

  /**
   * Sets when final boards leave Redis; a process without Redis has none to let go. A period that is
   * no longer final (rules with longer grace since it was announced) is left until it is again.
   */
  private async letGo(code: string, periods: readonly LeaderboardPeriod[], rules: GamificationRules, now: Date): Promise<void> {
    if (!this.ranks.available) {
      return;
    }
    try {
      for (const period of periods) {
        const keptUntil = boardKeptUntil(period, rules, now);
        if (keptUntil !== null) {
          await this.ranks.keepUntil(code, period.key, keptUntil);
        }
      }
    } catch (error) {
      this.logger.warn(`the final boards of ${code} keep no expiry in Redis until the next sweep: ${(error as Error).message}`);
    }
  }

  private unannounced(board: LeaderboardDefinition, zone: string, graceHours: number, now: Date, lastFinal: string | null, first: string | null): LeaderboardPeriod[] {
    if (first === null) {
      return [];
    }
    let period: LeaderboardPeriod | null = periodContaining(board.period, now, zone);
    while (period !== null && !isFinal(period, graceHours, now)) {
      period = previousPeriod(period, zone);
    }
    const periods: LeaderboardPeriod[] = [];
    // Keys of one kind sort as their periods do.
    while (period !== null && (lastFinal === null ? period.key >= first : period.key > lastFinal)) {
      periods.push(period);
      period = previousPeriod(period, zone);
    }
    return periods.reverse().slice(0, MOST_PERIODS_PER_SWEEP);
  }

  private announce(code: string, period: LeaderboardPeriod, now: Date): Promise<FinishedPeriod | null> {
    return this.unitOfWork.run(async (transaction) => {
      await this.versions.lockForChange(transaction);
      const participants = await this.leaderboards.participants(transaction, code, period.key);
      if (!(await this.leaderboards.markFinal(transaction, code, period.key, participants, now))) {
        return null;
      }
      const top = await this.leaderboards.ranking(transaction, code, period.key, 0, TOP);
      const event = leaderboardFinishedV1({
        code,
        periodKey: period.key,
        start: period.start!.toISOString(),
        end: period.end!.toISOString(),
        participants,
        top: top.map(({ userId, xp }, index) => ({ rank: index + 1, userId, xp })),
      });
      await this.outbox.append(transaction, [{ eventId: event.eventId, topic: this.config.topics.leaderboardFinished, key: code, payload: { ...event } }]);
      return { code, periodKey: period.key, participants };
    });
  }
}
