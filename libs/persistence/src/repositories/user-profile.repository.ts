import { Injectable } from '@nestjs/common';
import { DEFAULT_TIME_ZONE, type LocalDate, type ProgressTotals, type SkillXp, type StreakNoticeCursor, type StreakSummary, type StreakWatch } from '@app/domain';
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
  /** The XP of each node of the skill tree the user practised, under the rules version below. */
  readonly skillXp: SkillXp;
  /** The rules version the user's state was last computed under. */
  readonly rulesVersion: number | null;
  /** The streak as recorded, with how far its notices have gone (the zone: the recorded one, else UTC). */
  readonly streakWatch: StreakWatch;
}

/** Where a user's streak notices stand, and when the sweep must look at them next (null: not until they practise). */
export interface StreakNoticeState {
  readonly cursor: StreakNoticeCursor;
  readonly dueAt: Date | null;
}

/** A user's totals as a decision or a recompute under `rulesVersion` left them. */
export interface UserTotals {
  readonly userId: string;
  /**
   * When the user reached their total XP (engine time), the all-time boards' tie-break: set by a
   * decision that adds XP and by a recompute under rules with an all-time board (which folds it
   * again); null keeps it, and the all-time standing, as it was.
   */
  readonly xpReachedAt: Date | null;
  /** A null zone keeps the one recorded (a recompute over sessions from before facts knows none). */
  readonly totals: Omit<ProgressTotals, 'timezone'> & { readonly timezone: string | null };
  readonly rulesVersion: number;
  readonly notices: StreakNoticeState;
}

export interface UserZone {
  readonly userId: string;
  readonly timezone: string;
  /** The zone moves the user's local days, and with them when their notices fall due. */
  readonly notices: StreakNoticeState;
}

/** A user whose streak notices are due, as the sweep reads them under the row's lock. */
export interface DueStreak {
  readonly userId: string;
  readonly watch: StreakWatch;
}

interface ProfileRow {
  readonly user_id: string;
  readonly total_xp: number;
  readonly level: number;
  readonly sessions_completed: number;
  readonly best_score: number | null;
  readonly timezone: string | null;
  readonly longest_streak: number;
  readonly skill_xp: SkillXp;
  readonly rules_version: number | null;
  readonly current_streak: number;
  readonly last_practice_date: LocalDate | null;
  readonly freezes_held: number;
  readonly streak_warned_on: LocalDate | null;
  readonly streak_day_ends_through: LocalDate | null;
}

/**
 * A user's all-time standing as a write left it: their total XP, when they reached it, and a revision
 * that grows with every change of the two (Redis keeps the newest).
 */
export interface XpStanding {
  readonly userId: string;
  readonly xp: number;
  readonly reachedAt: Date;
  readonly revision: number;
}

interface XpStandingRow {
  readonly user_id: string;
  readonly total_xp: number;
  readonly reached_ms: string;
  readonly xp_revision: string;
}

function xpStanding(row: XpStandingRow): XpStanding {
  return { userId: row.user_id, xp: row.total_xp, reachedAt: new Date(Number(row.reached_ms)), revision: Number(row.xp_revision) };
}

const XP_STANDING_COLUMNS = 'p.user_id, p.total_xp, (extract(epoch FROM p.xp_reached_at) * 1000)::bigint AS reached_ms, p.xp_revision';

interface TotalsRow {
  readonly user_id: string;
  readonly xp_reached_at: string | null;
  readonly total_xp: number;
  readonly level: number;
  readonly sessions_completed: number;
  readonly best_score: number | null;
  readonly current_streak: number;
  readonly longest_streak: number;
  readonly last_practice_date: LocalDate | null;
  readonly timezone: string | null;
  readonly rules_version: number;
  readonly freezes_held: number;
  readonly frozen_days: readonly LocalDate[];
  readonly skill_xp: SkillXp;
}

interface NoticeRow {
  readonly streak_warned_on: LocalDate | null;
  readonly streak_day_ends_through: LocalDate | null;
  readonly streak_due_at: string | null;
}

interface ZoneRow extends NoticeRow {
  readonly user_id: string;
  readonly timezone: string;
}

/** The advisory lock key of the streak sweep ("STRK"); the rules' version fence uses another. */
export const STREAK_SWEEP_LOCK = 0x5354524b;

/** The columns a profile row's streak watch is read from. */
const WATCH_COLUMNS = 'current_streak, last_practice_date, freezes_held, timezone, streak_warned_on, streak_day_ends_through';

function noticeRow({ cursor, dueAt }: StreakNoticeState): NoticeRow {
  return { streak_warned_on: cursor.warnedOn, streak_day_ends_through: cursor.dayEndsThrough, streak_due_at: dueAt?.toISOString() ?? null };
}

function streakWatch(row: Pick<ProfileRow, 'current_streak' | 'last_practice_date' | 'freezes_held' | 'timezone' | 'streak_warned_on' | 'streak_day_ends_through'>): StreakWatch {
  return {
    summary: { currentStreak: row.current_streak, lastPracticeDate: row.last_practice_date, freezesHeld: row.freezes_held },
    zone: row.timezone ?? DEFAULT_TIME_ZONE,
    cursor: { warnedOn: row.streak_warned_on, dayEndsThrough: row.streak_day_ends_through },
  };
}

function totalsRow({ userId, xpReachedAt, totals, rulesVersion, notices }: UserTotals): TotalsRow & NoticeRow {
  return {
    user_id: userId,
    xp_reached_at: xpReachedAt?.toISOString() ?? null,
    total_xp: totals.totalXp,
    level: totals.level,
    sessions_completed: totals.sessionsCompleted,
    best_score: totals.bestScore,
    current_streak: totals.currentStreak,
    longest_streak: totals.longestStreak,
    last_practice_date: totals.lastPracticeDate,
    timezone: totals.timezone,
    rules_version: rulesVersion,
    freezes_held: totals.freezesHeld,
    frozen_days: totals.frozenDays,
    skill_xp: totals.skillXp,
    ...noticeRow(notices),
  };
}

function zoneRow({ userId, timezone, notices }: UserZone): ZoneRow {
  return { user_id: userId, timezone, ...noticeRow(notices) };
}

function lockedProfile(row: ProfileRow): LockedProfile {
  return {
    totalXp: row.total_xp,
    level: row.level,
    sessionsCompleted: row.sessions_completed,
    bestScore: row.best_score,
    timezone: row.timezone,
    longestStreak: row.longest_streak,
    skillXp: row.skill_xp,
    rulesVersion: row.rules_version,
    streakWatch: streakWatch(row),
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
      `SELECT user_id, total_xp, level, sessions_completed, best_score, longest_streak, skill_xp, rules_version, ${WATCH_COLUMNS},
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

  /**
   * Writes the totals users were left with (the zone and the rules version included), in one
   * statement; returns the all-time standings it wrote: those of the users given an `xpReachedAt`.
   * A user with XP always has a time they reached it: now, when a recompute under rules without an
   * all-time board gives XP to a user who had none.
   */
  async storeTotals(transaction: Transaction, users: readonly UserTotals[], now: Date): Promise<XpStanding[]> {
    if (users.length === 0) {
      return [];
    }
    const rows: Array<XpStandingRow & { readonly reached: boolean }> = await statementsOf(transaction).query(
      `WITH stored AS (
       UPDATE user_profiles p SET total_xp = v.total_xp, level = v.level, sessions_completed = v.sessions_completed,
         best_score = v.best_score, current_streak = v.current_streak, longest_streak = v.longest_streak,
         last_practice_date = v.last_practice_date, timezone = COALESCE(v.timezone, p.timezone),
         rules_version = v.rules_version, freezes_held = v.freezes_held, frozen_days = v.frozen_days, skill_xp = v.skill_xp,
         streak_warned_on = v.streak_warned_on, streak_day_ends_through = v.streak_day_ends_through,
         streak_due_at = v.streak_due_at, updated_at = $2,
         xp_reached_at = COALESCE(v.xp_reached_at, p.xp_reached_at, CASE WHEN v.total_xp > 0 THEN $2::timestamptz END),
         xp_revision = p.xp_revision + (v.xp_reached_at IS NOT NULL)::int
       FROM json_to_recordset($1::json) AS v(user_id text, xp_reached_at timestamptz, total_xp int, level int, sessions_completed int,
         best_score float8, current_streak int, longest_streak int, last_practice_date date, timezone text, rules_version int,
         freezes_held int, frozen_days date[], skill_xp jsonb, streak_warned_on date, streak_day_ends_through date, streak_due_at timestamptz)
       WHERE p.user_id = v.user_id
       RETURNING ${XP_STANDING_COLUMNS}, v.xp_reached_at IS NOT NULL AS reached)
       SELECT * FROM stored`,
      [recordset(users.map(totalsRow)), now],
    );
    return rows.filter((row) => row.reached).map(xpStanding);
  }

  /** Writes the zone last seen of users whose totals did not change, where it changed, in one statement. */
  async storeZones(transaction: Transaction, users: readonly UserZone[], now: Date): Promise<void> {
    if (users.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `UPDATE user_profiles p SET timezone = v.timezone, streak_warned_on = v.streak_warned_on,
         streak_day_ends_through = v.streak_day_ends_through, streak_due_at = v.streak_due_at, updated_at = $2
       FROM json_to_recordset($1::json) AS v(user_id text, timezone text, streak_warned_on date, streak_day_ends_through date, streak_due_at timestamptz)
       WHERE p.user_id = v.user_id AND p.timezone IS DISTINCT FROM v.timezone`,
      [recordset(users.map(zoneRow)), now],
    );
  }

  /** Stores XP added at `now` (a claim's), which the user reaches then; returns their all-time standing. */
  async storeXp(transaction: Transaction, userId: string, xp: { readonly totalXp: number; readonly level: number }, now: Date): Promise<XpStanding> {
    const [row]: XpStandingRow[] = await statementsOf(transaction).query(
      `WITH stored AS (
         UPDATE user_profiles p SET total_xp = $2, level = $3, updated_at = $4, xp_reached_at = $4, xp_revision = p.xp_revision + 1
         WHERE p.user_id = $1 RETURNING ${XP_STANDING_COLUMNS})
       SELECT * FROM stored`,
      [userId, xp.totalXp, xp.level, now],
    );
    return xpStanding(row);
  }

  /** Writes a recomputed streak and where its notices stand; a streak that did not change leaves the row untouched. */
  async storeStreak(transaction: Transaction, userId: string, streak: StreakSummary, notices: StreakNoticeState): Promise<void> {
    const row = noticeRow(notices);
    await statementsOf(transaction).query(
      `UPDATE user_profiles SET current_streak = $2, longest_streak = $3, last_practice_date = $4, freezes_held = $5, frozen_days = $6,
         streak_warned_on = $7, streak_day_ends_through = $8, streak_due_at = $9
       WHERE user_id = $1 AND (current_streak, longest_streak, last_practice_date, freezes_held, frozen_days, streak_warned_on, streak_day_ends_through, streak_due_at)
         IS DISTINCT FROM ($2::int, $3::int, $4::date, $5::int, $6::date[], $7::date, $8::date, $9::timestamptz)`,
      [userId, streak.currentStreak, streak.longestStreak, streak.lastPracticeDate, streak.freezesHeld, streak.frozenDays, row.streak_warned_on, row.streak_day_ends_through, row.streak_due_at],
    );
  }

  /** The rules version the user's state was computed under; null for a user never seen (or on none yet). */
  async rulesVersionOf(statements: Statements, userId: string): Promise<number | null> {
    const [row]: Array<{ rules_version: number | null }> = await statementsOf(statements).query(`SELECT rules_version FROM user_profiles WHERE user_id = $1`, [userId]);
    return row?.rules_version ?? null;
  }

  /** The zone last seen for the user; null for a user never seen or one whose sessions named none. */
  async zoneOf(statements: Statements, userId: string): Promise<string | null> {
    const [row]: Array<{ timezone: string | null }> = await statementsOf(statements).query(`SELECT timezone FROM user_profiles WHERE user_id = $1`, [userId]);
    return row?.timezone ?? null;
  }

  /**
   * Takes the streak sweep for the caller's transaction, if no other transaction holds it: one
   * worker sweeps at a time, and a worker that dies mid-sweep lets go with its connection.
   */
  async takeStreakSweepLock(transaction: Transaction): Promise<boolean> {
    const [row]: Array<{ taken: boolean }> = await statementsOf(transaction).query(`SELECT pg_try_advisory_xact_lock($1) AS taken`, [STREAK_SWEEP_LOCK]);
    return row.taken;
  }

  /**
   * Locks up to `limit` users whose streak notices are due at `now`, soonest first, skipping rows a
   * decision holds (it computes their due instant again, and the next sweep finds them). Through the
   * partial index on streak_due_at: the users with nothing pending are never read.
   */
  async lockDueStreaks(transaction: Transaction, now: Date, limit: number): Promise<DueStreak[]> {
    // An index scan in due order, not the bitmap scan and sort the planner prefers for a large limit:
    // each sweep moves its users' due instants later, leaving their old index entries dead until a
    // vacuum, and only an index scan marks those entries dead as it passes them (a bitmap scan reads
    // them again, every sweep). Measured on 1M users (`npx tsx bench/run.ts --only=streak-sweep`): a
    // running worker's sweep with nothing due, after a sweep of 10,000, 115 ms → 6 ms.
    await statementsOf(transaction).query(`SET LOCAL enable_bitmapscan = off`);
    const rows: Array<ProfileRow & { user_id: string }> = await statementsOf(transaction).query(
      `SELECT user_id, ${WATCH_COLUMNS} FROM user_profiles
       WHERE streak_due_at <= $1 ORDER BY streak_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((row) => ({ userId: row.user_id, watch: streakWatch(row) }));
  }

  /** Writes where the swept users' notices now stand, in one statement. */
  async storeStreakNotices(transaction: Transaction, users: ReadonlyArray<{ readonly userId: string; readonly notices: StreakNoticeState }>): Promise<void> {
    if (users.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `UPDATE user_profiles p SET streak_warned_on = v.streak_warned_on, streak_day_ends_through = v.streak_day_ends_through,
         streak_due_at = v.streak_due_at
       FROM json_to_recordset($1::json) AS v(user_id text, streak_warned_on date, streak_day_ends_through date, streak_due_at timestamptz)
       WHERE p.user_id = v.user_id`,
      [recordset(users.map(({ userId, notices }) => ({ user_id: userId, ...noticeRow(notices) })))],
    );
  }
}
