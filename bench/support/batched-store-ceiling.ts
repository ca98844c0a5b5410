import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { BenchEvent } from './events';

/**
 * What the engine wrote per unique event in the run this ceiling is set beside, read from its
 * database: the rows that depend on decisions (badges and award messages) are written at the same
 * rate. The other tables' rows follow from the events as the engine's do (see writeRun).
 */
export interface RowsPerEvent {
  readonly badges: number;
  readonly outbox: number;
}

export interface BatchedCeilingOptions {
  readonly pool: Pool;
  readonly events: readonly BenchEvent[];
  /** Events per transaction: the engine's mean run size, or the run size a curve point sets. */
  readonly runSize: number;
  /** Runs in flight at once, as the engine's partitions consumed concurrently. */
  readonly concurrency: number;
  readonly rowsPerEvent: RowsPerEvent;
  /** Rows the relay marks sent per transaction (the worker's OUTBOX_BATCH_SIZE). */
  readonly relayBatch: number;
}

interface Session {
  readonly eventId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly completedAt: string;
  readonly durationSeconds: number;
  readonly score?: number;
  readonly timezone: string;
}

const MINIMUM_DURATION_SECONDS = 60;

/** ISO-8601 week key (2026-W48) and month key (2026-11) of a UTC date, as the boards' periods. */
function periodKeys(date: string): { week: string; month: string } {
  const day = new Date(`${date}T00:00:00Z`);
  const thursday = new Date(day.getTime() + (3 - ((day.getUTCDay() + 6) % 7)) * 86_400_000);
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(thursday.getUTCFullYear(), 0, 1)) / 86_400_000 / 7);
  return { week: `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`, month: date.slice(0, 7) };
}

/** Spreads `rate` rows per event evenly over a run: how many of them event `index` brings. */
function rowsAt(index: number, rate: number): number {
  return Math.floor((index + 1) * rate) - Math.floor(index * rate);
}

/**
 * The batched store ceiling: the rows the engine writes for a stream of events, written in runs of
 * the engine's size as plain set-based SQL (one statement per table, one transaction per run, the
 * relay marking sent rows beside it) with nothing read and nothing decided. What is left between the
 * engine and this is the engine's own work: reading state, deciding, Kafka, and its bookkeeping.
 * Returns events/s, from the first run's start until the relay has marked every message sent.
 */
export async function batchedStoreCeiling(options: BatchedCeilingOptions): Promise<number> {
  const { pool, runSize, concurrency, rowsPerEvent, relayBatch } = options;
  const seen = new Set<string>();
  const sessions: Session[] = [];
  for (const event of options.events) {
    if (!seen.has(event.eventId)) {
      seen.add(event.eventId);
      sessions.push(JSON.parse(event.value) as Session);
    }
  }
  // As Kafka keys them: a user's events stay in one lane, in order; lanes run side by side.
  const lanes: Session[][] = Array.from({ length: concurrency }, () => []);
  const laneOf = new Map<string, number>();
  for (const session of sessions) {
    const lane = laneOf.get(session.userId) ?? laneOf.size % concurrency;
    laneOf.set(session.userId, lane);
    lanes[lane].push(session);
  }
  const badgesHeld = new Map<string, number>();
  let eventIndex = 0;
  let written = false;
  const started = Date.now();
  const writers = lanes.map(async (lane) => {
    const client = await pool.connect();
    try {
      for (let start = 0; start < lane.length; start += runSize) {
        const run = lane.slice(start, start + runSize);
        const first = eventIndex;
        eventIndex += run.length;
        await writeRun(client, run, first, rowsPerEvent, badgesHeld);
      }
    } finally {
      client.release();
    }
  });
  const relay = (async () => {
    const client = await pool.connect();
    try {
      for (;;) {
        const finished = written;
        const marked = await relayOnce(client, relayBatch);
        if (finished && marked === 0) {
          return;
        }
        if (marked === 0) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    } finally {
      client.release();
    }
  })();
  try {
    await Promise.all(writers);
  } finally {
    written = true;
  }
  await relay;
  // Messages, duplicates included, as the engine's rate counts them; the duplicates are not written.
  return (options.events.length * 1000) / (Date.now() - started);
}

async function writeRun(client: PoolClient, run: readonly Session[], firstIndex: number, rate: RowsPerEvent, badgesHeld: Map<string, number>): Promise<void> {
  const now = new Date().toISOString();
  const facts = run.map((session) => {
    const counted = session.durationSeconds >= MINIMUM_DURATION_SECONDS;
    const localDate = session.completedAt.slice(0, 10);
    return {
      event_id: session.eventId,
      user_id: session.userId,
      session_id: session.sessionId,
      source: 'kafka',
      outcome: counted ? 'counted' : 'not-counted',
      xp_awarded: counted ? 50 + Math.floor((session.score ?? 0) / 10) * 5 : 0,
      practice_date: counted ? localDate : null,
      completed_at: session.completedAt,
      zone: session.timezone,
      local_date: localDate,
      duration_seconds: session.durationSeconds,
      score: session.score ?? null,
      rules_version: 1,
    };
  });
  const counted = facts.filter((fact) => fact.outcome === 'counted');
  const profiles = new Map<string, { user_id: string; xp: number; sessions: number; timezone: string; last: string }>();
  const days = new Map<string, { user_id: string; day: string; progress: number }>();
  const openDays = new Map<string, { user_id: string; day: string; progress: number }>();
  // Yesterday in UTC: the earliest local day still open somewhere on Earth.
  const openFrom = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const boards = new Map<string, { user_id: string; code: string; period_key: string; xp: number }>();
  for (const fact of facts) {
    const profile = profiles.get(fact.user_id) ?? { user_id: fact.user_id, xp: 0, sessions: 0, timezone: fact.zone, last: fact.local_date };
    profile.xp += fact.xp_awarded;
    profile.sessions += fact.outcome === 'counted' ? 1 : 0;
    profile.last = fact.local_date > profile.last ? fact.local_date : profile.last;
    profiles.set(fact.user_id, profile);
  }
  for (const fact of counted) {
    const dayKey = `${fact.user_id}|${fact.local_date}`;
    const day = days.get(dayKey) ?? { user_id: fact.user_id, day: fact.local_date, progress: 0 };
    day.progress += 1;
    days.set(dayKey, day);
    // As the engine: a session counts toward its day's challenges only while that day is not over.
    if (fact.local_date >= openFrom) {
      const open = openDays.get(dayKey) ?? { user_id: fact.user_id, day: fact.local_date, progress: 0 };
      open.progress += 1;
      openDays.set(dayKey, open);
    }
    const { week, month } = periodKeys(fact.local_date);
    for (const [code, periodKey] of [['WEEKLY_XP', week], ['MONTHLY_XP', month]]) {
      const boardKey = `${fact.user_id}|${code}|${periodKey}`;
      const board = boards.get(boardKey) ?? { user_id: fact.user_id, code, period_key: periodKey, xp: 0 };
      board.xp += fact.xp_awarded;
      boards.set(boardKey, board);
    }
  }
  const badges: Array<{ user_id: string; badge_code: string; source_event_id: string }> = [];
  const outbox: Array<{ event_id: string; topic: string; message_key: string; payload: unknown }> = [];
  facts.forEach((fact, offset) => {
    for (let badge = rowsAt(firstIndex + offset, rate.badges); badge > 0; badge -= 1) {
      const held = (badgesHeld.get(fact.user_id) ?? 0) + 1;
      badgesHeld.set(fact.user_id, held);
      badges.push({ user_id: fact.user_id, badge_code: `BENCH_${held}`, source_event_id: fact.event_id });
    }
    for (let message = rowsAt(firstIndex + offset, rate.outbox); message > 0; message -= 1) {
      const payload = { eventId: randomUUID(), userId: fact.user_id, sourceEventId: fact.event_id, badgeCode: 'BENCH', awardedAt: now };
      outbox.push({ event_id: payload.eventId, topic: 'bench.ceiling.awards', message_key: fact.user_id, payload });
    }
  });
  let projection: string | undefined;
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO processed_events (event_id, user_id, session_id, source, processed_at, outcome, xp_awarded, practice_date,
         completed_at, zone, local_date, duration_seconds, score, skills, rules_version)
       SELECT v.event_id, v.user_id, v.session_id, v.source, $2, v.outcome, v.xp_awarded, v.practice_date,
         v.completed_at, v.zone, v.local_date, v.duration_seconds, v.score, '{}', v.rules_version
       FROM json_to_recordset($1::json) AS v(event_id text, user_id text, session_id text, source text, outcome text, xp_awarded int,
         practice_date date, completed_at timestamptz, zone text, local_date date, duration_seconds int, score float8, rules_version int)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(facts), now],
    );
    // As the engine's lock: a user seen for the first time gets a row, which the totals then update.
    await client.query(
      `INSERT INTO user_profiles (user_id, rules_version) SELECT v.user_id, 1 FROM json_to_recordset($1::json) AS v(user_id text)
       ON CONFLICT (user_id) DO NOTHING`,
      [JSON.stringify([...profiles.values()].map(({ user_id }) => ({ user_id })))],
    );
    await client.query(
      `INSERT INTO user_profiles (user_id, total_xp, level, sessions_completed, last_practice_date, timezone, rules_version, updated_at, xp_reached_at)
       SELECT v.user_id, v.xp, 1, v.sessions, v.last, v.timezone, 1, $2, $2
       FROM json_to_recordset($1::json) AS v(user_id text, xp int, sessions int, last date, timezone text)
       ON CONFLICT (user_id) DO UPDATE SET total_xp = user_profiles.total_xp + excluded.total_xp,
         sessions_completed = user_profiles.sessions_completed + excluded.sessions_completed,
         last_practice_date = GREATEST(user_profiles.last_practice_date, excluded.last_practice_date),
         timezone = excluded.timezone, updated_at = excluded.updated_at, xp_reached_at = excluded.xp_reached_at,
         xp_revision = user_profiles.xp_revision + 1`,
      [JSON.stringify([...profiles.values()]), now],
    );
    await client.query(
      `INSERT INTO practice_days (user_id, practice_date)
       SELECT v.user_id, v.day FROM json_to_recordset($1::json) AS v(user_id text, day date)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify([...days.values()])],
    );
    await client.query(
      `INSERT INTO daily_challenges (user_id, challenge_date, type, description, target, xp_reward, progress, expires_at)
       SELECT v.user_id, v.day, t.type, 'A challenge of the ceiling', 2, 50, v.progress, v.day + 2
       FROM json_to_recordset($1::json) AS v(user_id text, day date, progress int)
         CROSS JOIN unnest(ARRAY['COMPLETE_SESSIONS', 'SCORE_AT_LEAST', 'PRACTICE_MINUTES']) AS t(type)
       ON CONFLICT (user_id, challenge_date, type) DO UPDATE SET progress = daily_challenges.progress + excluded.progress`,
      [JSON.stringify([...openDays.values()])],
    );
    await client.query(
      `INSERT INTO user_badges (user_id, badge_code, badge_name, badge_description, awarded_at, source_event_id)
       SELECT v.user_id, v.badge_code, 'Bench', 'A badge of the ceiling', $2, v.source_event_id
       FROM json_to_recordset($1::json) AS v(user_id text, badge_code text, source_event_id text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(badges), now],
    );
    await client.query(
      `INSERT INTO leaderboard_entries (user_id, code, period_key, xp, reached_at)
       SELECT v.user_id, v.code, v.period_key, v.xp, $2 FROM json_to_recordset($1::json) AS v(user_id text, code text, period_key text, xp int)
       ON CONFLICT (user_id, code, period_key) DO UPDATE SET xp = leaderboard_entries.xp + excluded.xp, reached_at = excluded.reached_at,
         revision = leaderboard_entries.revision + 1`,
      [JSON.stringify([...boards.values()]), now],
    );
    const { rows: queued } = await client.query<{ id: string }>(
      `INSERT INTO leaderboard_projections (user_ids, boards, queued_at) VALUES ($1, $2, now()) RETURNING id`,
      [[...profiles.keys()], ['WEEKLY_XP', 'MONTHLY_XP', 'ALL_TIME_XP']],
    );
    projection = queued[0].id;
    await client.query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, payload)
       SELECT v.event_id, v.topic, v.message_key, v.payload FROM json_to_recordset($1::json) AS v(event_id uuid, topic text, message_key text, payload json)`,
      [JSON.stringify(outbox)],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  // As the engine's projector once its Redis write is done (Redis itself is not a store the ceiling counts).
  await client.query(`DELETE FROM leaderboard_projections WHERE id = $1`, [projection]);
}

/** The relay's part: take a batch of unsent rows, as the worker's relay does, and mark them sent. */
async function relayOnce(client: PoolClient, limit: number): Promise<number> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ id: string }>(
      `SELECT id, event_id, topic, message_key, payload FROM outbox_messages WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    if (rows.length > 0) {
      await client.query(`UPDATE outbox_messages SET sent_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
