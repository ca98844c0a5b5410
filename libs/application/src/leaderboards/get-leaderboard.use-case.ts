import { Injectable, Logger } from '@nestjs/common';
import { finalAt } from '@app/domain';
import { LeaderboardRanks, LeaderboardRepository, UnitOfWork, type RanksPage, type RanksQuery } from '@app/persistence';
import { Clock } from '../clock/clock';
import { ApplicationError } from '../errors/application.error';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import { boardKeptUntil } from './board-retention';
import { FallbackReads } from './fallback-reads';
import { LeaderboardBuilder } from './leaderboard-builder';
import { LOST_PROJECTION_AFTER_MS } from './leaderboard-projector';
import type { GetLeaderboardQuery } from './get-leaderboard.query';
import { selectBoard, selectPeriod } from './select-period';
import type { LeaderboardSummaryView, LeaderboardView } from './leaderboard.view';

const AROUND = 5;
/** Postgres answers at most this many board reads at once per process; a read waits this long for a slot. */
const FALLBACK_SLOTS = 2;
const FALLBACK_WAIT_MS = 500;
/** A refused read is told to come back after this; a board of a million standings builds in about this many times over. */
const RETRY_AFTER_SECONDS = 2;

/**
 * A page of a board (contract section 9). Redis answers when it holds the board built and no
 * projection is overdue; otherwise Postgres does, with the same order, and a build is started; when
 * Postgres already answers as many board reads as it may, LEADERBOARD_REBUILDING (503, Retry-After).
 * A rank shown is therefore never one that Postgres does not have, beyond the moment between a
 * commit and its projection.
 */
@Injectable()
export class GetLeaderboardUseCase {
  private readonly logger = new Logger(GetLeaderboardUseCase.name);
  private readonly fallbackReads = new FallbackReads(FALLBACK_SLOTS, FALLBACK_WAIT_MS);

  constructor(
    private readonly rulesInForce: RulesInForce,
    private readonly unitOfWork: UnitOfWork,
    private readonly leaderboards: LeaderboardRepository,
    private readonly ranks: LeaderboardRanks,
    private readonly builder: LeaderboardBuilder,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<LeaderboardSummaryView[]> {
    const rules = await this.rulesInForce.current();
    return rules.leaderboards.map(({ code, name, period }) => ({ code, name, period }));
  }

  async execute(query: GetLeaderboardQuery): Promise<LeaderboardView> {
    const rules = await this.rulesInForce.current();
    const board = selectBoard(rules.leaderboards, query.code);
    const now = this.clock.now();
    const period = selectPeriod(board, query.period, rules.leaderboardTimeZone, now);
    const ranksQuery: RanksQuery = query.page.around ? { userId: query.userId, around: true } : { userId: query.userId, ...query.page };
    const page =
      (await this.fromRedis(board.code, period.key, ranksQuery, () => boardKeptUntil(period, rules, now))) ??
      (await this.fallbackReads.run(() => this.fromPostgres(board.code, period.key, ranksQuery)));
    if (page === null) {
      throw new ApplicationError(
        'LEADERBOARD_REBUILDING',
        `Leaderboard ${board.code} is being rebuilt, and the database is already answering as many reads of boards as it may; retry shortly.`,
        RETRY_AFTER_SECONDS,
      );
    }
    const end = finalAt(period, rules.leaderboardGraceHours);
    return {
      code: board.code,
      name: board.name,
      period: {
        key: period.key,
        start: period.start?.toISOString() ?? null,
        end: period.end?.toISOString() ?? null,
        final: end !== null && now.getTime() >= end.getTime(),
      },
      participants: page.participants,
      entries: page.entries.map((entry, index) => ({ rank: page.from + index + 1, userId: entry.userId, xp: entry.xp })),
      me: page.me === null ? null : { rank: page.me.position + 1, xp: page.me.xp },
    };
  }

  /**
   * The page from Redis; null when Redis cannot be trusted for it now (or cannot be reached). A board
   * not there is built, kept until `keptUntil()`: asked only then, as most reads find their board.
   */
  private async fromRedis(code: string, periodKey: string, query: RanksQuery, keptUntil: () => Date | null): Promise<RanksPage | null> {
    if (!this.ranks.available) {
      return null;
    }
    try {
      if (await this.unitOfWork.read((statements) => this.leaderboards.anyQueuedFor(statements, LOST_PROJECTION_AFTER_MS))) {
        return null;
      }
      const page = await this.ranks.read(code, periodKey, query);
      if (page === null) {
        this.builder.request(code, periodKey, keptUntil());
      }
      return page;
    } catch (error) {
      this.logger.debug(`leaderboard ${code} ${periodKey} read from Postgres: ${(error as Error).message}`);
      return null;
    }
  }

  /** The page from Postgres: the count, the caller's rank and the rows from one snapshot, so that they agree. */
  private fromPostgres(code: string, periodKey: string, query: RanksQuery): Promise<RanksPage> {
    return this.unitOfWork.snapshot(async (statements) => {
      const participants = await this.leaderboards.participants(statements, code, periodKey);
      const mine = await this.leaderboards.rankOf(statements, code, periodKey, query.userId);
      const me = mine === null ? null : { position: mine.rank - 1, xp: mine.xp };
      if (query.around) {
        if (mine === null) {
          return { participants, from: 0, entries: [], me };
        }
        const near = await this.leaderboards.neighbours(statements, code, periodKey, mine, AROUND);
        const from = mine.rank - 1 - near.findIndex(({ userId }) => userId === mine.userId);
        return { participants, from, entries: near.map(({ userId, xp }) => ({ userId, xp })), me };
      }
      const entries = await this.leaderboards.ranking(statements, code, periodKey, query.offset, query.limit);
      return { participants, from: query.offset, entries: entries.map(({ userId, xp }) => ({ userId, xp })), me };
    });
  }
}
