import { Injectable } from '@nestjs/common';
import { ALL_TIME_KEY, type BoardPeriodRef, type BoardStanding } from '@app/domain';
import { statementsOf, type Statements, type Transaction } from '../unit-of-work';

/** A user's standing on a board in a period, as stored: `revision` grows with every change of the row. */
export interface StoredStanding extends BoardStanding {
  readonly userId: string;
  readonly revision: number;
}

/** A standing to write: a user's, on one board and period. */
export interface UserStanding extends BoardStanding {
  readonly userId: string;
}

/** What a transaction changed on the boards, and the queued projection that stands for it until Redis has it. */
export interface ChangedStandings {
  readonly ticket: number | null;
  readonly standings: readonly StoredStanding[];
}

/**
 * A projection queued by a transaction that committed and was not released: Redis may lack the
 * standings it changed, which are among those of its users on its boards and periods.
 */
export interface QueuedProjection {
  readonly ticket: number;
  readonly userIds: readonly string[];
  readonly boards: readonly BoardPeriodRef[];
}

/** One row of a ranking, in rank order. */
export interface RankedStanding {
  readonly userId: string;
  readonly xp: number;
  readonly reachedAt: Date;
}

export const NO_CHANGE: ChangedStandings = { ticket: null, standings: [] };

interface StandingRow {
  readonly user_id: string;
  readonly code: string;
  readonly period_key: string;
  readonly xp: string;
  readonly reached_at: Date;
  readonly revision: string;
  readonly ticket: string | null;
}

/** A row the write statement returns: its time as epoch milliseconds, cheaper to read than a timestamp's text. */
interface ChangedRow extends Omit<StandingRow, 'reached_at'> {
  readonly reached_ms: string;
}

interface RankedRow {
  readonly user_id: string;
  readonly xp: string;
  readonly reached_at: Date;
}

// Between a board's code (UPPER_SNAKE_CASE) and a period key, where one text names both: in a queued
// projection's boards and in the write statement's parameters.
const BOARD_SEPARATOR = ':';

function boardKey({ code, periodKey }: BoardPeriodRef): string {
  return `${code}${BOARD_SEPARATOR}${periodKey}`;
}

function boardOfKey(key: string): BoardPeriodRef {
  const at = key.indexOf(BOARD_SEPARATOR);
  return { code: key.slice(0, at), periodKey: key.slice(at + 1) };
}

// A period once announced final (leaderboard.finished) takes nothing more, whatever the writer's clock says.
const NOT_FINAL = 'NOT EXISTS (SELECT 1 FROM leaderboard_finals f WHERE f.code = v.code AND f.period_key = v.period_key)';

/**
 * The statement that writes standings and queues them for Redis in one round trip: `update` says what
 * a row already there becomes. Rows are written in key order, so two transactions lock them alike.
 * The standings come as arrays (see `entryArrays`): a run's few boards and periods once, each
 * standing naming one by number, its time in epoch milliseconds. As JSON, parsing them took a fifth
 * of the statement. The queue also names the users ($6) whose all-time standings the transaction
 * changed on their profiles, and those boards ($7).
 */
function upsertAndQueue(update: string): string {
  return `
    WITH v AS (
      SELECT s.user_id, split_part(b.board, '${BOARD_SEPARATOR}', 1) AS code, split_part(b.board, '${BOARD_SEPARATOR}', 2) AS period_key, s.xp,
             timestamptz 'epoch' + s.reached_ms * interval '1 millisecond' AS reached_at
      FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[]) AS s(user_id, board, xp, reached_ms)
        JOIN unnest($5::text[]) WITH ORDINALITY AS b(board, number) ON b.number = s.board
    ), changed AS (
      INSERT INTO leaderboard_entries AS e (user_id, code, period_key, xp, reached_at)
      SELECT v.user_id, v.code, v.period_key, v.xp, v.reached_at FROM v
      WHERE ${NOT_FINAL}
      ORDER BY v.user_id, v.code, v.period_key
      ON CONFLICT (user_id, code, period_key) DO UPDATE SET ${update}
      RETURNING e.user_id, e.code, e.period_key, e.xp, (extract(epoch FROM e.reached_at) * 1000)::bigint AS reached_ms, e.revision
    ), queued AS (
      INSERT INTO leaderboard_projections (user_ids, boards, queued_at)
      SELECT array_agg(DISTINCT user_id), array_agg(DISTINCT board), statement_timestamp()
      FROM (SELECT user_id, code || '${BOARD_SEPARATOR}' || period_key AS board FROM changed
            UNION ALL SELECT user_id, board FROM unnest($6::text[]) AS a(user_id) CROSS JOIN unnest($7::text[]) AS b(board)) AS touched
      HAVING count(*) > 0
      RETURNING id
    )
    SELECT changed.*, (SELECT id FROM queued) AS ticket FROM (SELECT) AS one LEFT JOIN changed ON true`;
}

const ADD_STATEMENT = upsertAndQueue('xp = e.xp + EXCLUDED.xp, reached_at = EXCLUDED.reached_at, revision = e.revision + 1');
const RESTATE_STATEMENT = upsertAndQueue(
  `xp = EXCLUDED.xp, reached_at = EXCLUDED.reached_at, revision = e.revision + 1
   WHERE (e.xp, e.reached_at) IS DISTINCT FROM (EXCLUDED.xp, EXCLUDED.reached_at)`,
);

/** What the write statement returns when it changed no entry: the ticket alone. */
interface TicketOnlyRow {
  readonly user_id: null;
  readonly ticket: string | null;
}

function changedStandings(rows: ReadonlyArray<ChangedRow | TicketOnlyRow>, allTime: readonly StoredStanding[]): ChangedStandings {
  return {
    ticket: rows.length === 0 || rows[0].ticket === null ? null : Number(rows[0].ticket),
    standings: [...rows.filter((row): row is ChangedRow => row.user_id !== null).map((row) => storedStanding(row, new Date(Number(row.reached_ms)))), ...allTime],
  };
}

function storedStanding(row: Omit<StandingRow, 'ticket' | 'reached_at'>, reachedAt: Date): StoredStanding {
  return {
    userId: row.user_id,
    code: row.code,
    periodKey: row.period_key,
    xp: Number(row.xp),
    reachedAt,
    revision: Number(row.revision),
  };
}

function rankedStanding(row: RankedRow): RankedStanding {
  return { userId: row.user_id, xp: Number(row.xp), reachedAt: row.reached_at };
}

/**
 * The parameters of `upsertAndQueue`: userIds, board numbers (1-based), XP, times (epoch ms), and the
 * boards; then the users and the boards of the all-time standings changed on the profiles.
 */
function statementArrays(standings: readonly UserStanding[], allTime: readonly StoredStanding[]): [string[], number[], number[], number[], string[], string[], string[]] {
  return [...entryArrays(standings), [...new Set(allTime.map(({ userId }) => userId))], [...new Set(allTime.map(boardKey))]];
}

function entryArrays(standings: readonly UserStanding[]): [string[], number[], number[], number[], string[]] {
  const boards: string[] = [];
  const numbers = new Map<string, number>();
  const userIds: string[] = [];
  const boardNumbers: number[] = [];
  const xps: number[] = [];
  const times: number[] = [];
  for (const standing of standings) {
    const board = boardKey(standing);
    let number = numbers.get(board);
    if (number === undefined) {
      number = boards.push(board);
      numbers.set(board, number);
    }
    userIds.push(standing.userId);
    boardNumbers.push(number);
    xps.push(standing.xp);
    times.push(standing.reachedAt.getTime());
  }
  return [userIds, boardNumbers, xps, times, boards];
}

/**
 * The rows of a board in a period, with the columns of leaderboard_entries, as `alias`: the entries,
 * or for all time the profiles, whose total XP is the all-time standing. $1 and $2 are the board's
 * code and period key in every statement that reads a board.
 */
function boardRows(periodKey: string, alias: string): string {
  return periodKey === ALL_TIME_KEY
    ? `(SELECT user_id, $1::varchar AS code, $2::varchar AS period_key, total_xp::bigint AS xp, xp_reached_at AS reached_at, xp_revision AS revision
        FROM user_profiles) AS ${alias}`
    : `leaderboard_entries AS ${alias}`;
}

// The ranking of contract section 9; userIds by their bytes, as Redis orders members.
const RANK_ORDER = 'xp DESC, reached_at, user_id COLLATE "C"';
const REVERSE_RANK_ORDER = 'xp, reached_at DESC, user_id COLLATE "C" DESC';
// Rows ahead of ($3 xp, $4 reached_at, $5 user_id) in that order.
const AHEAD = `(xp > $3 OR (xp = $3 AND (reached_at < $4 OR (reached_at = $4 AND user_id COLLATE "C" < $5))))`;

/**
 * The only owner of leaderboard_entries (each user's XP per board and period of a week or a month, the
 * boards' source of truth), leaderboard_projections (what Redis may not have yet) and
 * leaderboard_finals (periods announced final). An all-time standing is a user's total XP and is kept
 * on their profile, which the profile's owner writes in the same statement as the total; this
 * repository reads it from there.
 */
@Injectable()
export class LeaderboardRepository {
  /**
   * Adds XP to standings (a decision's), each taking the given time as reached; final periods are
   * left alone, and so are all-time standings, which the profile holds. `allTime` are the all-time
   * standings the transaction changed on the profiles: they are queued for Redis with the others.
   */
  async add(transaction: Transaction, standings: readonly UserStanding[], allTime: readonly StoredStanding[] = []): Promise<ChangedStandings> {
    return this.write(transaction, ADD_STATEMENT, standings, allTime);
  }

  /**
   * Sets standings to absolute values (a recompute's); final periods are left alone, and so are rows
   * that would not change. All-time standings and `allTime` as for `add`.
   */
  async restate(transaction: Transaction, standings: readonly UserStanding[], allTime: readonly StoredStanding[] = []): Promise<ChangedStandings> {
    return this.write(transaction, RESTATE_STATEMENT, standings, allTime);
  }

  private async write(transaction: Transaction, statement: string, standings: readonly UserStanding[], allTime: readonly StoredStanding[]): Promise<ChangedStandings> {
    if (standings.length === 0 && allTime.length === 0) {
      return NO_CHANGE;
    }
    const periodic = standings.filter(({ periodKey }) => periodKey !== ALL_TIME_KEY);
    return changedStandings(await statementsOf(transaction).query(statement, statementArrays(periodic, allTime)), allTime);
  }

  /** The boards and periods each user has a standing in. */
  async heldBy(statements: Statements, userIds: readonly string[]): Promise<ReadonlyMap<string, BoardPeriodRef[]>> {
    const rows: Array<{ user_id: string; code: string; period_key: string }> = await statementsOf(statements).query(
      `SELECT user_id, code, period_key FROM leaderboard_entries WHERE user_id = ANY($1::text[])`,
      [userIds],
    );
    const held = new Map<string, BoardPeriodRef[]>();
    for (const row of rows) {
      const userStandings = held.get(row.user_id) ?? [];
      userStandings.push({ code: row.code, periodKey: row.period_key });
      held.set(row.user_id, userStandings);
    }
    return held;
  }

  /** The stored standings of a queued projection's users on its boards and periods. */
  async standingsOf(statements: Statements, { userIds, boards }: Pick<QueuedProjection, 'userIds' | 'boards'>): Promise<StoredStanding[]> {
    if (userIds.length === 0 || boards.length === 0) {
      return [];
    }
    const allTime = boards.filter(({ periodKey }) => periodKey === ALL_TIME_KEY);
    const rows: StandingRow[] = await statementsOf(statements).query(
      `SELECT user_id, code, period_key, xp, reached_at, revision FROM leaderboard_entries
       WHERE user_id = ANY($1::text[]) AND code || '${BOARD_SEPARATOR}' || period_key = ANY($2::text[])
       UNION ALL
       SELECT p.user_id, b.code, '${ALL_TIME_KEY}', p.total_xp, p.xp_reached_at, p.xp_revision
       FROM user_profiles p CROSS JOIN unnest($3::text[]) AS b(code)
       WHERE p.user_id = ANY($1::text[]) AND p.xp_reached_at IS NOT NULL`,
      [userIds, boards.filter(({ periodKey }) => periodKey !== ALL_TIME_KEY).map(boardKey), allTime.map(({ code }) => code)],
    );
    return rows.map((row) => storedStanding(row, row.reached_at));
  }

  /**
   * Projections queued at least `ageMs` ago (by the database's clock, which every process shares)
   * and not released, oldest first.
   */
  async queuedFor(statements: Statements, ageMs: number, limit: number): Promise<QueuedProjection[]> {
    const rows: Array<{ id: string; user_ids: string[]; boards: string[] }> = await statementsOf(statements).query(
      `SELECT id, user_ids, boards FROM leaderboard_projections WHERE queued_at <= statement_timestamp() - $1 * interval '1 millisecond'
       ORDER BY queued_at, id LIMIT $2`,
      [ageMs, limit],
    );
    return rows.map(({ id, user_ids, boards }) => ({
      ticket: Number(id),
      userIds: user_ids,
      boards: boards.map(boardOfKey),
    }));
  }

  /** Whether a projection queued at least `ageMs` ago is still unreleased: Redis may then lack a committed standing. */
  async anyQueuedFor(statements: Statements, ageMs: number): Promise<boolean> {
    const [row]: Array<{ queued: boolean }> = await statementsOf(statements).query(
      `SELECT EXISTS (SELECT 1 FROM leaderboard_projections WHERE queued_at <= statement_timestamp() - $1 * interval '1 millisecond') AS queued`,
      [ageMs],
    );
    return row.queued;
  }

  /** Releases projections that Redis has. */
  async release(statements: Statements, tickets: readonly number[]): Promise<void> {
    if (tickets.length > 0) {
      await statementsOf(statements).query(`DELETE FROM leaderboard_projections WHERE id = ANY($1::bigint[])`, [tickets]);
    }
  }

  async participants(statements: Statements, code: string, periodKey: string): Promise<number> {
    const [row]: Array<{ participants: number }> = await statementsOf(statements).query(
      `SELECT count(*)::int AS participants FROM ${boardRows(periodKey, 'e')} WHERE code = $1 AND period_key = $2 AND xp > 0`,
      [code, periodKey],
    );
    return row.participants;
  }

  /** Rows of a ranking from a 0-based position. */
  async ranking(statements: Statements, code: string, periodKey: string, offset: number, limit: number): Promise<RankedStanding[]> {
    const rows: RankedRow[] = await statementsOf(statements).query(
      `SELECT user_id, xp, reached_at FROM ${boardRows(periodKey, 'e')} WHERE code = $1 AND period_key = $2 AND xp > 0
       ORDER BY ${RANK_ORDER} OFFSET $3 LIMIT $4`,
      [code, periodKey, offset, limit],
    );
    return rows.map(rankedStanding);
  }

  /**
   * A standing and up to `count` rows either side of it, in rank order: the rows just ahead and just
   * behind are found by comparison with it, so the board is read once for each side, not sorted to
   * the standing's position.
   */
  async neighbours(statements: Statements, code: string, periodKey: string, standing: RankedStanding, count: number): Promise<RankedStanding[]> {
    const rows: RankedRow[] = await statementsOf(statements).query(
      `SELECT user_id, xp, reached_at FROM (
         (SELECT user_id, xp, reached_at FROM ${boardRows(periodKey, 'e')} WHERE code = $1 AND period_key = $2 AND xp > 0 AND ${AHEAD}
          ORDER BY ${REVERSE_RANK_ORDER} LIMIT $6)
         UNION ALL
         (SELECT user_id, xp, reached_at FROM ${boardRows(periodKey, 'e')} WHERE code = $1 AND period_key = $2 AND xp > 0 AND NOT ${AHEAD}
          ORDER BY ${RANK_ORDER} LIMIT $6 + 1)
       ) AS near ORDER BY ${RANK_ORDER}`,
      [code, periodKey, standing.xp, standing.reachedAt, standing.userId, count],
    );
    return rows.map(rankedStanding);
  }

  /**
   * Every standing of a board in a period, in pages of `pageSize` in no particular order, read by one
   * cursor: one snapshot and one pass over the rows, however large the board.
   */
  async scan(transaction: Transaction, code: string, periodKey: string, pageSize: number, page: (standings: StoredStanding[]) => Promise<void>): Promise<void> {
    const statements = statementsOf(transaction);
    await statements.query(
      `DECLARE board_scan NO SCROLL CURSOR FOR
       SELECT user_id, code, period_key, xp, reached_at, revision FROM ${boardRows(periodKey, 'e')} WHERE code = $1 AND period_key = $2 AND xp > 0`,
      [code, periodKey],
    );
    for (;;) {
      const rows: StandingRow[] = await statements.query(`FETCH ${Math.trunc(pageSize)} FROM board_scan`);
      if (rows.length === 0) {
        break;
      }
      await page(rows.map((row) => storedStanding(row, row.reached_at)));
    }
    await statements.query(`CLOSE board_scan`);
  }

  /** A user's standing and 1-based rank on a board in a period; null when they have no XP there. */
  async rankOf(statements: Statements, code: string, periodKey: string, userId: string): Promise<(RankedStanding & { readonly rank: number }) | null> {
    const rows: Array<RankedRow & { ahead: number }> = await statementsOf(statements).query(
      `SELECT me.user_id, me.xp, me.reached_at,
              (SELECT count(*)::int FROM ${boardRows(periodKey, 'e')}
               WHERE code = $1 AND period_key = $2 AND xp > 0 AND ${AHEAD.replaceAll('$3', 'me.xp').replaceAll('$4', 'me.reached_at').replaceAll('$5', 'me.user_id')}) AS ahead
       FROM ${boardRows(periodKey, 'me')} WHERE me.code = $1 AND me.period_key = $2 AND me.user_id = $3 AND me.xp > 0`,
      [code, periodKey, userId],
    );
    return rows.length === 0 ? null : { ...rankedStanding(rows[0]), rank: rows[0].ahead + 1 };
  }

  /** The earliest period of a board with any standing (keys sort as their periods do); null when none. */
  async firstPeriodKey(statements: Statements, code: string): Promise<string | null> {
    const [row]: Array<{ period_key: string | null }> = await statementsOf(statements).query(
      `SELECT min(period_key) AS period_key FROM leaderboard_entries WHERE code = $1 AND xp > 0`,
      [code],
    );
    return row.period_key;
  }

  /** The latest period of a board announced final; null when none was. */
  async lastFinalKey(statements: Statements, code: string): Promise<string | null> {
    const [row]: Array<{ period_key: string | null }> = await statementsOf(statements).query(
      `SELECT max(period_key) AS period_key FROM leaderboard_finals WHERE code = $1`,
      [code],
    );
    return row.period_key;
  }

  /** Records a period as final; false when it already was (another sweep announced it). */
  async markFinal(transaction: Transaction, code: string, periodKey: string, participants: number, now: Date): Promise<boolean> {
    const rows: unknown[] = await statementsOf(transaction).query(
      `INSERT INTO leaderboard_finals (code, period_key, participants, finished_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING code`,
      [code, periodKey, participants, now],
    );
    return rows.length > 0;
  }
}
