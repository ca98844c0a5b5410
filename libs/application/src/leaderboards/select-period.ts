import { periodContaining, periodOfKey, previousPeriod, type LeaderboardDefinition, type LeaderboardPeriod } from '@app/domain';
import { ApplicationError } from '../errors/application.error';
import type { PeriodSelector } from './get-leaderboard.query';

/** The period of a board that a request names: the current one at `now`, the one before, or a key; a period the board has not is refused, naming it. */
export function selectPeriod(board: LeaderboardDefinition, selector: PeriodSelector, zone: string, now: Date): LeaderboardPeriod {
  const current = periodContaining(board.period, now, zone);
  if (selector === 'current') {
    return current;
  }
  const period = selector === 'previous' ? previousPeriod(current, zone) : periodOfKey(board.period, selector.key, zone);
  if (period === null) {
    const shape = { week: 'an ISO week such as 2026-W48', month: 'a month such as 2026-11', all: '"all"' }[board.period];
    const what = selector === 'previous' ? 'previous: an all-time board has no previous period' : `"${selector.key}" is not a period of ${board.code}`;
    throw new ApplicationError('VALIDATION_FAILED', `period: ${what} (current, previous or ${shape})`);
  }
  return period;
}

/** The board of the rules with this code; an unknown one is refused. */
export function selectBoard(boards: readonly LeaderboardDefinition[], code: string): LeaderboardDefinition {
  const board = boards.find((candidate) => candidate.code === code);
  if (board === undefined) {
    throw new ApplicationError('LEADERBOARD_NOT_FOUND', `No leaderboard ${code}; GET /gamification/leaderboards lists them.`);
  }
  return board;
}
