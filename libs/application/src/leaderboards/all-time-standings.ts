import { ALL_TIME_KEY, type LeaderboardRules } from '@app/domain';
import type { StoredStanding, XpStanding } from '@app/persistence';

/** A user's standing on each all-time board of the rules: their total XP, as their profile holds it. */
export function allTimeStandings(rules: LeaderboardRules, standings: readonly XpStanding[]): StoredStanding[] {
  const codes = rules.leaderboards.filter((board) => board.period === 'all').map((board) => board.code);
  return codes.flatMap((code) => standings.map(({ userId, xp, reachedAt, revision }) => ({ userId, code, periodKey: ALL_TIME_KEY, xp, reachedAt, revision })));
}
