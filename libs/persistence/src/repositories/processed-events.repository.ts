import { Injectable } from '@nestjs/common';
import type { DailyPractice, LocalDate, ProcessedSession, SkillSession } from '@app/domain';
import { statementsOf, type Statements, type Transaction } from '../unit-of-work';
import { listsByUser } from './lists-by-user';
import { recordset } from './recordset';

export type EventSource = 'kafka' | 'api';

export interface SessionEventKey {
  readonly eventId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly source: EventSource;
}

/** What the ledger keeps of an event once it is decided: who sent it, the outcome, and the session as a fact. */
export interface LedgerOutcome extends SessionEventKey {
  readonly outcome: 'counted' | 'not-counted';
  readonly xpAwarded: number;
  readonly practiceDate: LocalDate | null;
  readonly completedAt: Date;
  /** The zone the decision used, and the session's calendar date in it. */
  readonly zone: string;
  readonly localDate: LocalDate;
  readonly durationSeconds: number;
  readonly score: number | null;
  readonly skills: readonly string[];
  readonly rulesVersion: number;
}

/** One local day's counted sessions (see `ProcessedEventsRepository.practiceDaysOf`), by its index in the bounds asked for. */
export type PracticeDayTotals = Omit<DailyPractice, 'date'> & { readonly day: number };

interface LedgerRow {
  readonly event_id: string;
  readonly user_id: string;
  readonly session_id: string;
  readonly source: EventSource;
  readonly outcome: LedgerOutcome['outcome'];
  readonly xp_awarded: number;
  readonly practice_date: LocalDate | null;
  readonly completed_at: string;
  readonly zone: string;
  readonly local_date: LocalDate;
  readonly duration_seconds: number;
  readonly score: number | null;
  readonly skills: readonly string[];
  readonly rules_version: number;
}

function ledgerRow(entry: LedgerOutcome): LedgerRow {
  return {
    event_id: entry.eventId,
    user_id: entry.userId,
    session_id: entry.sessionId,
    source: entry.source,
    outcome: entry.outcome,
    xp_awarded: entry.xpAwarded,
    practice_date: entry.practiceDate,
    completed_at: entry.completedAt.toISOString(),
    zone: entry.zone,
    local_date: entry.localDate,
    duration_seconds: entry.durationSeconds,
    score: entry.score,
    skills: entry.skills,
    rules_version: entry.rulesVersion,
  };
}

interface FactRow {
  readonly event_id: string;
  readonly user_id: string;
  readonly xp_awarded: number;
  readonly practice_date: LocalDate | null;
  readonly completed_at: Date | null;
  readonly zone: string | null;
  readonly local_date: LocalDate | null;
  readonly duration_seconds: number | null;
  readonly score: number | null;
  readonly skills: string[] | null;
}

function processedSession(row: FactRow): ProcessedSession {
  if (row.completed_at === null || row.zone === null || row.local_date === null || row.duration_seconds === null) {
    return { kind: 'legacy', eventId: row.event_id, xpAwarded: row.xp_awarded, practiceDate: row.practice_date };
  }
  return {
    kind: 'session',
    eventId: row.event_id,
    completedAt: row.completed_at,
    zone: row.zone,
    localDate: row.local_date,
    durationSeconds: row.duration_seconds,
    score: row.score,
    skills: row.skills ?? [],
  };
}

function byEventId(a: LedgerOutcome, b: LedgerOutcome): number {
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** The only owner of processed_events: the idempotency ledger, one row per eventId ever applied. */
@Injectable()
export class ProcessedEventsRepository {
  /** The eventIds among `eventIds` that are in the ledger already: duplicates, as far as committed transactions tell. */
  async recordedAmong(transaction: Transaction, eventIds: readonly string[]): Promise<ReadonlySet<string>> {
    const rows: Array<{ event_id: string }> = await statementsOf(transaction).query(
      `SELECT event_id FROM processed_events WHERE event_id = ANY($1::text[])`,
      [eventIds],
    );
    return new Set(rows.map((row) => row.event_id));
  }

  /**
   * Records decided events, their outcomes and the sessions as facts, in one statement, and returns
   * the eventIds it recorded. An id recorded already, by an earlier or a concurrent transaction, is
   * left as it was and missing from the result (a concurrent one is waited for, then found taken):
   * the caller's decision about it is void. Ids are inserted in sorted order, so that concurrent
   * transactions cannot deadlock. A batch that repeats an eventId is refused: which copy wins is the
   * caller's decision (see firstOccurrences).
   */
  async record(transaction: Transaction, entries: readonly LedgerOutcome[], now: Date): Promise<ReadonlySet<string>> {
    const distinct = new Set(entries.map((entry) => entry.eventId));
    if (distinct.size !== entries.length) {
      throw new Error(`record takes each eventId once; ${entries.length - distinct.size} repeated (de-duplicate with firstOccurrences first)`);
    }
    if (entries.length === 0) {
      return distinct;
    }
    const inserted: Array<{ event_id: string }> = await statementsOf(transaction).query(
      `INSERT INTO processed_events (event_id, user_id, session_id, source, processed_at, outcome, xp_awarded, practice_date,
         completed_at, zone, local_date, duration_seconds, score, skills, rules_version)
       SELECT v.event_id, v.user_id, v.session_id, v.source, $2, v.outcome, v.xp_awarded, v.practice_date,
         v.completed_at, v.zone, v.local_date, v.duration_seconds, v.score, ARRAY(SELECT json_array_elements_text(v.skills)), v.rules_version
       FROM ROWS FROM (json_to_recordset($1::json) AS (event_id text, user_id text, session_id text, source text, outcome text,
           xp_awarded int, practice_date date, completed_at timestamptz, zone text, local_date date, duration_seconds int,
           score float8, skills json, rules_version int))
         WITH ORDINALITY AS v(event_id, user_id, session_id, source, outcome, xp_awarded, practice_date, completed_at, zone,
           local_date, duration_seconds, score, skills, rules_version, position)
       ORDER BY v.position
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [recordset([...entries].sort(byEventId).map(ledgerRow)), now],
    );
    return new Set(inserted.map((row) => row.event_id));
  }

  /**
   * The outcomes of session facts decided again (a recompute under other rules): what each counts for
   * and the XP it gives from now on, so that what is read from the facts (skills, analytics) follows
   * the rules the user is on. Rows already saying so are left alone; `rules_version` keeps naming the
   * version that first decided the fact.
   */
  async restateOutcomes(transaction: Transaction, outcomes: ReadonlyArray<{ readonly eventId: string; readonly counted: boolean; readonly xpAwarded: number }>): Promise<void> {
    if (outcomes.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `UPDATE processed_events p SET outcome = v.outcome, xp_awarded = v.xp_awarded
       FROM json_to_recordset($1::json) AS v(event_id text, outcome text, xp_awarded int)
       WHERE p.event_id = v.event_id AND (p.outcome, p.xp_awarded) IS DISTINCT FROM (v.outcome, v.xp_awarded)`,
      [recordset(outcomes.map(({ eventId, counted, xpAwarded }) => ({ event_id: eventId, outcome: counted ? 'counted' : 'not-counted', xp_awarded: xpAwarded })))],
    );
  }

  /**
   * Every session of the users as the domain folds it, in the order they were processed: a fact, or
   * for a row from before facts were kept, its recorded outcome.
   */
  async sessionsOf(statements: Statements, userIds: readonly string[]): Promise<ReadonlyMap<string, ProcessedSession[]>> {
    const rows: FactRow[] = await statementsOf(statements).query(
      `SELECT event_id, user_id, xp_awarded, practice_date, completed_at, zone, local_date, duration_seconds, score, skills
       FROM processed_events WHERE user_id = ANY($1::text[]) AND outcome IS NOT NULL
       ORDER BY processed_at, event_id`,
      [userIds],
    );
    return listsByUser(userIds, rows, processedSession);
  }

  /**
   * When each processed session of the users was decided (engine time) and completed (null for one
   * processed before facts were kept), by eventId: what the leaderboards fold needs beside its XP.
   */
  async decisionTimesOf(statements: Statements, userIds: readonly string[]): Promise<ReadonlyMap<string, { readonly completedAt: Date | null; readonly decidedAt: Date }>> {
    const rows: Array<{ event_id: string; completed_at: Date | null; processed_at: Date }> = await statementsOf(statements).query(
      `SELECT event_id, completed_at, processed_at FROM processed_events WHERE user_id = ANY($1::text[]) AND outcome IS NOT NULL`,
      [userIds],
    );
    return new Map(rows.map((row) => [row.event_id, { completedAt: row.completed_at, decidedAt: row.processed_at }]));
  }

  /** A user's counted sessions that listed skills, as the skill tree folds them (contract section 10). */
  async skillSessionsOf(statements: Statements, userId: string): Promise<SkillSession[]> {
    const rows: Array<{ skills: string[]; xp_awarded: number; score: number | null; completed_at: Date }> = await statementsOf(statements).query(
      `SELECT skills, xp_awarded, score, completed_at FROM processed_events
       WHERE user_id = $1 AND outcome = 'counted' AND cardinality(skills) > 0`,
      [userId],
    );
    return rows.map((row) => ({ skills: row.skills, xp: row.xp_awarded, score: row.score, completedAt: row.completed_at }));
  }

  /**
   * A user's counted sessions over consecutive local days, bucketed by `dayStarts` (the first instant
   * of each day, then the end of the last), with each day's totals and its score trend: the average
   * of the user's last 10 scored sessions up to the end of that day, sessions before the first day
   * included. Only days with a counted session are returned; `day` is the index into `dayStarts`.
   */
  async practiceDaysOf(statements: Statements, userId: string, dayStarts: readonly Date[]): Promise<PracticeDayTotals[]> {
    const rows: Array<{ day: number; sessions: number; practice_seconds: number; xp: number; score_sum: number; scored: number; trend: number | null }> =
      await statementsOf(statements).query(
        `WITH ranged AS (
           SELECT width_bucket(completed_at, $2::timestamptz[]) - 1 AS day, completed_at, event_id, duration_seconds, xp_awarded, score
           FROM processed_events
           WHERE user_id = $1 AND outcome = 'counted' AND completed_at >= $3 AND completed_at < $4
         ),
         earlier AS (
           SELECT -1 AS day, completed_at, event_id, score
           FROM processed_events
           WHERE user_id = $1 AND outcome = 'counted' AND score IS NOT NULL AND completed_at < $3
           ORDER BY completed_at DESC, event_id DESC LIMIT 9
         ),
         trend AS (
           SELECT DISTINCT ON (day) day, avg(score) OVER (ORDER BY completed_at, event_id ROWS 9 PRECEDING) AS average
           FROM (SELECT day, completed_at, event_id, score FROM ranged WHERE score IS NOT NULL UNION ALL SELECT * FROM earlier) scored
           ORDER BY day, completed_at DESC, event_id DESC
         )
         SELECT r.day, count(*)::int AS sessions, sum(r.duration_seconds)::int AS practice_seconds, sum(r.xp_awarded)::int AS xp,
                coalesce(sum(r.score), 0)::float8 AS score_sum, count(r.score)::int AS scored, t.average AS trend
         FROM ranged r LEFT JOIN trend t ON t.day = r.day
         GROUP BY r.day, t.average ORDER BY r.day`,
        // The range's bounds apart from the array: read from the array, they would be read again for every row.
        [userId, dayStarts, dayStarts[0], dayStarts[dayStarts.length - 1]],
      );
    return rows.map((row) => ({
      day: row.day,
      sessions: row.sessions,
      practiceSeconds: row.practice_seconds,
      xp: row.xp,
      scoreSum: row.score_sum,
      scored: row.scored,
      scoreTrend: row.trend,
    }));
  }
}
