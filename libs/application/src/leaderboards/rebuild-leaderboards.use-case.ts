import { Injectable } from '@nestjs/common';
import { LeaderboardRepository, UnitOfWork } from '@app/persistence';
import { Clock } from '../clock/clock';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import type { PeriodSelector } from './get-leaderboard.query';
import { boardKeptUntil } from './board-retention';
import { LeaderboardBuilder, type BuildResult } from './leaderboard-builder';
import { selectBoard, selectPeriod } from './select-period';

export interface RebuiltBoard {
  readonly code: string;
  readonly periodKey: string;
  readonly result: BuildResult;
}

/** Builds boards in Redis from Postgres on an operator's demand: one board or all of them, in the period named. */
@Injectable()
export class RebuildLeaderboardsUseCase {
  constructor(
    private readonly rulesInForce: RulesInForce,
    private readonly unitOfWork: UnitOfWork,
    private readonly leaderboards: LeaderboardRepository,
    private readonly builder: LeaderboardBuilder,
    private readonly clock: Clock,
  ) {}

  /** `onProgress` hears, per board, the standings written of those Postgres has. */
  async execute(
    code: string | null,
    selector: PeriodSelector,
    onProgress: (board: { readonly code: string; readonly periodKey: string }, written: number, total: number) => void,
  ): Promise<RebuiltBoard[]> {
    const rules = await this.rulesInForce.current();
    const now = this.clock.now();
    const boards = code === null ? rules.leaderboards.filter((board) => selector === 'current' || board.period !== 'all') : [selectBoard(rules.leaderboards, code)];
    const rebuilt: RebuiltBoard[] = [];
    for (const board of boards) {
      const period = selectPeriod(board, selector, rules.leaderboardTimeZone, now);
      const periodKey = period.key;
      const total = await this.unitOfWork.read((statements) => this.leaderboards.participants(statements, board.code, periodKey));
      onProgress({ code: board.code, periodKey }, 0, total);
      const result = await this.builder.build(board.code, periodKey, boardKeptUntil(period, rules, now), (written) => onProgress({ code: board.code, periodKey }, written, total));
      rebuilt.push({ code: board.code, periodKey, result });
    }
    return rebuilt;
  }
}
