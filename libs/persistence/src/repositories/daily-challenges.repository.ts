import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  challengeDayKey,
  isChallengeCompleted,
  type ChallengeDay,
  type ChallengeDayDecision,
  type ChallengeState,
  type ChallengeType,
  type LocalDate,
} from '@app/domain';
import { statementsOf, type Statements, type Transaction } from '../unit-of-work';
import { listsByUser } from './lists-by-user';
import { recordset } from './recordset';

/** A stored challenge, as the profile shows it. */
export interface ChallengeRecord extends ChallengeState {
  readonly id: string;
  readonly date: LocalDate;
  readonly expiresAt: Date;
  readonly completedAt: Date | null;
  readonly claimedAt: Date | null;
}

export interface UserChallengeDay {
  readonly userId: string;
  readonly day: ChallengeDayDecision;
}

/** A daily_challenges row as pg returns it. */
export interface ChallengeRow {
  readonly id: string;
  readonly challenge_date: LocalDate;
  readonly type: ChallengeType;
  readonly description: string;
  readonly target: number;
  readonly xp_reward: number;
  readonly min_score: number | null;
  readonly progress: number;
  readonly completed_at: Date | null;
  readonly claimed_at: Date | null;
  readonly expires_at: Date;
}

type FreshRow = Pick<ChallengeRow, 'type' | 'description' | 'target' | 'xp_reward' | 'min_score'>;

interface ProgressRow extends FreshRow, Pick<ChallengeRow, 'challenge_date' | 'progress' | 'expires_at'> {
  readonly user_id: string;
  readonly completed: boolean;
}

export const CHALLENGE_COLUMNS =
  'id, challenge_date, type, description, target, xp_reward, min_score, progress, completed_at, claimed_at, expires_at';

export function toChallengeRecord(row: ChallengeRow): ChallengeRecord {
  return {
    id: row.id,
    date: row.challenge_date,
    type: row.type,
    description: row.description,
    target: row.target,
    xpReward: row.xp_reward,
    minScore: row.min_score,
    progress: row.progress,
    isClaimed: row.claimed_at !== null,
    expiresAt: row.expires_at,
    completedAt: row.completed_at,
    claimedAt: row.claimed_at,
  };
}

function progressRows({ userId, day }: UserChallengeDay): ProgressRow[] {
  return day.challenges.map((challenge) => ({
    user_id: userId,
    challenge_date: day.date,
    type: challenge.type,
    description: challenge.description,
    target: challenge.target,
    xp_reward: challenge.xpReward,
    min_score: challenge.minScore,
    progress: challenge.progress,
    completed: isChallengeCompleted(challenge),
    expires_at: day.expiresAt,
  }));
}

function freshRow(challenge: ChallengeState): FreshRow {
  return {
    type: challenge.type,
    description: challenge.description,
    target: challenge.target,
    xp_reward: challenge.xpReward,
    min_score: challenge.minScore,
  };
}

/** The only owner of daily_challenges: each user's challenges of a local day, their progress and claims. */
@Injectable()
export class DailyChallengesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The users' challenge days from `from` on, by challengeDayKey(userId, date). */
  async daysOf(transaction: Transaction, userIds: readonly string[], from: LocalDate): Promise<ReadonlyMap<string, ChallengeDay>> {
    const rows: Array<ChallengeRow & { user_id: string }> = await statementsOf(transaction).query(
      `SELECT user_id, ${CHALLENGE_COLUMNS} FROM daily_challenges
       WHERE user_id = ANY($1::text[]) AND challenge_date >= $2 ORDER BY created_at, type`,
      [userIds, from],
    );
    const days = new Map<string, ChallengeDay>();
    for (const row of rows) {
      const key = challengeDayKey(row.user_id, row.challenge_date);
      const day = days.get(key);
      const record = toChallengeRecord(row);
      days.set(key, { expiresAt: day?.expiresAt ?? record.expiresAt, challenges: [...(day?.challenges ?? []), record] });
    }
    return days;
  }

  /** The XP of every challenge each user claimed, by userId: claims are the user's acts, kept whatever the rules become. */
  async claimedXpOf(statements: Statements, userIds: readonly string[]): Promise<ReadonlyMap<string, number[]>> {
    const rows: Array<{ user_id: string; xp_reward: number }> = await statementsOf(statements).query(
      `SELECT user_id, xp_reward FROM daily_challenges WHERE user_id = ANY($1::text[]) AND claimed_at IS NOT NULL ORDER BY claimed_at`,
      [userIds],
    );
    return listsByUser(userIds, rows, (row) => row.xp_reward);
  }

  /** The XP of each challenge the users claimed, and when they claimed it, by userId. */
  async claimsOf(statements: Statements, userIds: readonly string[]): Promise<ReadonlyMap<string, Array<{ readonly xp: number; readonly claimedAt: Date }>>> {
    const rows: Array<{ user_id: string; xp_reward: number; claimed_at: Date }> = await statementsOf(statements).query(
      `SELECT user_id, xp_reward, claimed_at FROM daily_challenges WHERE user_id = ANY($1::text[]) AND claimed_at IS NOT NULL`,
      [userIds],
    );
    return listsByUser(userIds, rows, (row) => ({ xp: row.xp_reward, claimedAt: row.claimed_at }));
  }

  /**
   * Writes the decided challenge days in one statement: a day's missing challenges are created, the
   * others take the new progress, and a challenge once completed keeps its completion time.
   */
  async storeDays(transaction: Transaction, days: readonly UserChallengeDay[], now: Date): Promise<void> {
    const rows = days.flatMap(progressRows);
    if (rows.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `INSERT INTO daily_challenges
         (user_id, challenge_date, type, description, target, xp_reward, min_score, progress, completed_at, expires_at)
       SELECT v.user_id, v.challenge_date, v.type, v.description, v.target, v.xp_reward, v.min_score, v.progress,
              CASE WHEN v.completed THEN $2::timestamptz END, v.expires_at
       FROM json_to_recordset($1::json) AS v(user_id text, challenge_date date, type text, description text, target int,
         xp_reward int, min_score int, progress int, completed bool, expires_at timestamptz)
       ON CONFLICT ON CONSTRAINT daily_challenges_one_per_type_and_day DO UPDATE
         SET progress = EXCLUDED.progress,
             completed_at = COALESCE(daily_challenges.completed_at, EXCLUDED.completed_at)`,
      [recordset(rows), now],
    );
  }

  /**
   * Creates the user's challenges of a local day from `fresh` where the day has none yet, and returns
   * the day's challenges. Safe to race with the worker and other reads: whoever inserts first wins,
   * and the worker's progress update overwrites zeros.
   */
  async createDay(userId: string, date: LocalDate, expiresAt: Date, fresh: readonly ChallengeState[]): Promise<ChallengeRecord[]> {
    await this.dataSource.query(
      `INSERT INTO daily_challenges (user_id, challenge_date, type, description, target, xp_reward, min_score, expires_at)
       SELECT $1, $2, v.type, v.description, v.target, v.xp_reward, v.min_score, $3
       FROM json_to_recordset($4::json) AS v(type text, description text, target int, xp_reward int, min_score int)
       ON CONFLICT ON CONSTRAINT daily_challenges_one_per_type_and_day DO NOTHING`,
      [userId, date, expiresAt, recordset(fresh.map(freshRow))],
    );
    const rows: ChallengeRow[] = await this.dataSource.query(
      `SELECT ${CHALLENGE_COLUMNS} FROM daily_challenges WHERE user_id = $1 AND challenge_date = $2 ORDER BY created_at, type`,
      [userId, date],
    );
    return rows.map(toChallengeRecord);
  }

  /** The challenge if it is the user's, without locking it; null for any other id (never tell the two apart). */
  async findOwned(transaction: Transaction, challengeId: string, userId: string): Promise<ChallengeRecord | null> {
    const [row]: ChallengeRow[] = await statementsOf(transaction).query(
      `SELECT ${CHALLENGE_COLUMNS} FROM daily_challenges WHERE id = $1 AND user_id = $2`,
      [challengeId, userId],
    );
    return row === undefined ? null : toChallengeRecord(row);
  }

  /** Locks an existing challenge and returns it as it is once the lock is held. */
  async lock(transaction: Transaction, challengeId: string): Promise<ChallengeRecord> {
    const [row]: ChallengeRow[] = await statementsOf(transaction).query(
      `SELECT ${CHALLENGE_COLUMNS} FROM daily_challenges WHERE id = $1 FOR UPDATE`,
      [challengeId],
    );
    return toChallengeRecord(row);
  }

  async markClaimed(transaction: Transaction, challengeId: string, now: Date): Promise<ChallengeRecord> {
    // TypeORM answers an UPDATE … RETURNING on Postgres with [rows, affected row count].
    const [[claimed]]: [ChallengeRow[], number] = await statementsOf(transaction).query(
      `UPDATE daily_challenges SET claimed_at = $2 WHERE id = $1 RETURNING ${CHALLENGE_COLUMNS}`,
      [challengeId, now],
    );
    return toChallengeRecord(claimed);
  }
}
