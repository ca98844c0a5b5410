import { Injectable } from '@nestjs/common';
import type { LocalDate, ProgressTotals, StreakSummary } from '@app/domain';
import { statementsOf, type Statements, type Transaction } from '../unit-of-work';
import { recordset } from './recordset';
import { NEWEST_VERSION_SQL, VERSION_FENCE } from './rules-versions.repository';

/** A user's profile row as decisions start from it, read under the row's lock. */
export interface LockedProfile {
  readonly totalXp: number;
  readonly level: number;
  readonly sessionsCompleted: number;
  readonly bestScore: number | null;
  readonly timezone: string | null;
  readonly longestStreak: number;
  /** The rules version the user's state was last computed under. */
  readonly rulesVersion: number | null;
}

/** A user's totals as a decision or a recompute under `rulesVersion` left them. */
export interface UserTotals {
  readonly userId: string;
  /** A null zone keeps the one recorded (a recompute over sessions from before facts knows none). */
  readonly totals: Omit<ProgressTotals, 'timezone'> & { readonly timezone: string | null };
  readonly rulesVersion: number;
}

export interface UserZone {
  readonly userId: string;
  readonly timezone: string;
}

interface ProfileRow {
  readonly user_id: string;
  readonly total_xp: number;
  readonly level: number;
  readonly sessions_completed: number;
  readonly best_score: number | null;
  readonly timezone: string | null;
  readonly longest_streak: number;
  readonly rules_version: number | null;
}

interface TotalsRow {
  readonly user_id: string;
  readonly total_xp: number;
  readonly level: number;
  readonly sessions_completed: number;
  readonly best_score: number | null;
  readonly current_streak: number;
  readonly longest_streak: number;
  readonly last_practice_date: LocalDate | null;
  readonly timezone: string | null;
  readonly rules_version: number;
}

interface ZoneRow {
  readonly user_id: string;
  readonly timezone: string;
}

function totalsRow({ userId, totals, rulesVersion }: UserTotals): TotalsRow {
  return {
    user_id: userId,
    total_xp: totals.totalXp,
    level: totals.level,
    sessions_completed: totals.sessionsCompleted,
    best_score: totals.bestScore,
    current_streak: totals.currentStreak,
    longest_streak: totals.longestStreak,
    last_practice_date: totals.lastPracticeDate,
    timezone: totals.timezone,
    rules_version: rulesVersion,
  };
}

function zoneRow({ userId, timezone }: UserZone): ZoneRow {
  return { user_id: userId, timezone };
}

function lockedProfile(row: ProfileRow): LockedProfile {
  return {
    totalXp: row.total_xp,
    level: row.level,
    sessionsCompleted: row.sessions_completed,
    bestScore: row.best_score,
    timezone: row.timezone,
    longestStreak: row.longest_streak,
    rulesVersion: row.rules_version,
  };
}

/** Locked profiles, and the rules version that decides for them (null before any is recorded). */
export interface LockedProfiles {
  readonly rulesVersion: number | null;
  readonly profiles: ReadonlyMap<string, LockedProfile>;
}

/** A user's recorded XP and level (the highest reached). */
export interface RecordedXp {
  readonly userId: string;
  readonly totalXp: number;
  readonly level: number;
}

/**
 * The only writer of user_profiles. A user's profile row is also the user's lock: every decision
 * about a user (a run of sessions, a claim, a re-evaluation) holds it until its transaction ends.
 */
@Injectable()
export class UserProfileRepository {
  /**
   * Creates the missing profiles and locks all of them, in user_id order so that concurrent
   * transactions cannot deadlock; returns them by userId, with the rules version that decides for
   * them. That version is read here, after the version fence is taken (shared, until the transaction
   * ends) and in the statement that locks the rows: no user can be on a newer one, and no apply can
   * start until the transaction ends. A new profile is created on the newest version as of the
   * insert; should an apply start meanwhile, the decision finds the user behind and recomputes them.
   * Two statements, as before versions: the fence rides on the insert, ahead of its rows (LATERAL).
   */
  async lock(transaction: Transaction, userIds: readonly string[]): Promise<LockedProfiles> {
    const statements = statementsOf(transaction);
    const sorted = [...new Set(userIds)].sort();
    await statements.query(
      `INSERT INTO user_profiles (user_id, rules_version)
       SELECT ids.user_id, ${NEWEST_VERSION_SQL}
       FROM (SELECT 1 FROM pg_advisory_xact_lock_shared($2)) AS fence(held)
         CROSS JOIN LATERAL (SELECT unnest($1::text[]) WHERE fence.held = 1) AS ids(user_id)
       ON CONFLICT (user_id) DO NOTHING`,
      [sorted, VERSION_FENCE],
    );
    const rows: Array<ProfileRow & { readonly deciding_version: number | null }> = await statements.query(
      `SELECT user_id, total_xp, level, sessions_completed, best_score, timezone, longest_streak, rules_version,
         ${NEWEST_VERSION_SQL} AS deciding_version
       FROM user_profiles WHERE user_id = ANY($1::text[]) ORDER BY user_id FOR UPDATE`,
      [sorted],
    );
    return { rulesVersion: rows[0]?.deciding_version ?? null, profiles: new Map(rows.map((row) => [row.user_id, lockedProfile(row)])) };
  }

  /** How many users have a profile: what a scan over all of them will cover. */
  async count(statements: Statements): Promise<number> {
    const [row]: Array<{ users: number }> = await statementsOf(statements).query(`SELECT count(*)::int AS users FROM user_profiles`);
    return row.users;
  }

  /** Up to `limit` users after `afterUserId` (from the first when null), in user_id order, with what they hold. */
  async page(transaction: Transaction, afterUserId: string | null, limit: number): Promise<RecordedXp[]> {
    const rows: Array<{ user_id: string; total_xp: number; level: number }> = await statementsOf(transaction).query(
      `SELECT user_id, total_xp, level FROM user_profiles WHERE $1::text IS NULL OR user_id > $1 ORDER BY user_id LIMIT $2`,
      [afterUserId, limit],
    );
    return rows.map((row) => ({ userId: row.user_id, totalXp: row.total_xp, level: row.level }));
  }

  /**
   * Puts every user on no version yet (those from before versions were kept) on `version`. The rows
   * are locked in user_id order, as every decision locks them, so that this cannot deadlock with one.
   */
  async adoptVersion(transaction: Transaction, version: number): Promise<number> {
    const [row]: Array<{ users: number }> = await statementsOf(transaction).query(
      `WITH adopted AS (
         UPDATE user_profiles SET rules_version = $1
         WHERE user_id IN (SELECT user_id FROM user_profiles WHERE rules_version IS NULL ORDER BY user_id FOR UPDATE)
         RETURNING 1)
       SELECT count(*)::int AS users FROM adopted`,
      [version],
    );
    return row.users;
  }

  /** How many users are behind `version` (on a lower one, or on none: a row written by older code). */
  async countBehind(statements: Statements, version: number): Promise<number> {
    const [row]: Array<{ users: number }> = await statementsOf(statements).query(
      `SELECT count(*)::int AS users FROM user_profiles WHERE COALESCE(rules_version, 0) < $1`,
      [version],
    );
    return row.users;
  }

  /** Up to `limit` users after `afterUserId` (from the first when null) behind `version`, in user_id order. */
  async pageBehind(statements: Statements, afterUserId: string | null, version: number, limit: number): Promise<string[]> {
    const rows: Array<{ user_id: string }> = await statementsOf(statements).query(
      `SELECT user_id FROM user_profiles WHERE ($1::text IS NULL OR user_id > $1) AND COALESCE(rules_version, 0) < $2 ORDER BY user_id LIMIT $3`,
      [afterUserId, version, limit],
    );
    return rows.map((row) => row.user_id);
  }

  /** Writes the totals users were left with (the zone and the rules version included), in one statement. */
  async storeTotals(transaction: Transaction, users: readonly UserTotals[], now: Date): Promise<void> {
    if (users.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `UPDATE user_profiles p SET total_xp = v.total_xp, level = v.level, sessions_completed = v.sessions_completed,
         best_score = v.best_score, current_streak = v.current_streak, longest_streak = v.longest_streak,
         last_practice_date = v.last_practice_date, timezone = COALESCE(v.timezone, p.timezone),
         rules_version = v.rules_version, updated_at = $2
       FROM json_to_recordset($1::json) AS v(user_id text, total_xp int, level int, sessions_completed int,
         best_score float8, current_streak int, longest_streak int, last_practice_date date, timezone text, rules_version int)
       WHERE p.user_id = v.user_id`,
      [recordset(users.map(totalsRow)), now],
    );
  }

  /** Writes the zone last seen of users whose totals did not change, where it changed, in one statement. */
  async storeZones(transaction: Transaction, users: readonly UserZone[], now: Date): Promise<void> {
    if (users.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `UPDATE user_profiles p SET timezone = v.timezone, updated_at = $2
       FROM json_to_recordset($1::json) AS v(user_id text, timezone text)
       WHERE p.user_id = v.user_id AND p.timezone IS DISTINCT FROM v.timezone`,
      [recordset(users.map(zoneRow)), now],
    );
  }

  async storeXp(transaction: Transaction, userId: string, xp: { readonly totalXp: number; readonly level: number }, now: Date): Promise<void> {
    await statementsOf(transaction).query(`UPDATE user_profiles SET total_xp = $2, level = $3, updated_at = $4 WHERE user_id = $1`, [
      userId,
      xp.totalXp,
      xp.level,
      now,
    ]);
  }

  /** Writes a recomputed streak; a streak that did not change leaves the row untouched. */
  async storeStreak(transaction: Transaction, userId: string, streak: StreakSummary): Promise<void> {
    await statementsOf(transaction).query(
      `UPDATE user_profiles SET current_streak = $2, longest_streak = $3, last_practice_date = $4
       WHERE user_id = $1 AND (current_streak, longest_streak, last_practice_date)
         IS DISTINCT FROM ($2::int, $3::int, $4::date)`,
      [userId, streak.currentStreak, streak.longestStreak, streak.lastPracticeDate],
    );
  }
}
