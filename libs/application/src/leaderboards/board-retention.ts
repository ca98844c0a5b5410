import { isFinal, periodContaining, type LeaderboardPeriod, type LeaderboardRules } from '@app/domain';

// A final board read by its key, long after it was the previous period, stays this long for the reads that follow.
const OLD_BOARD_MS = 3_600_000;

/**
 * Until when Redis keeps a board, or null while its period is not final (it takes XP, and its
 * projections keep it current). A final board is read as a matter of course while it is the previous
 * period, so until the period after it ends (and at least an hour from now): after that it leaves
 * Redis, and a read by its key builds it again from Postgres, where final periods never change.
 * Without this, every week's and month's board stayed in Redis for good, about 190 MiB per million
 * standings.
 */
export function boardKeptUntil(period: LeaderboardPeriod, rules: Pick<LeaderboardRules, 'leaderboardGraceHours' | 'leaderboardTimeZone'>, now: Date): Date | null {
  if (period.end === null || !isFinal(period, rules.leaderboardGraceHours, now)) {
    return null;
  }
  const next = periodContaining(period.kind, period.end, rules.leaderboardTimeZone);
  return new Date(Math.max(next.end!.getTime(), now.getTime() + OLD_BOARD_MS));
}
