import type { PoolClient, Pool } from 'pg';
import type { GamificationRules } from '@app/domain';

export interface RulesFactsShape {
  readonly users: number;
  readonly sessionsPerUser: number;
  /** The rules the facts were decided under; recorded as the version in force. */
  readonly rules: GamificationRules;
  readonly rulesSource: string;
}

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'America/Los_Angeles', 'Australia/Sydney'];

/**
 * Leaves a freshly migrated database as the worker would have after deciding every session under
 * `rules`: facts in processed_events, practice days, profiles and badges folded from them, and the
 * rules recorded as the version in force. Set-based SQL, because streaming millions of events
 * through the worker would take far longer than the recompute it prepares for.
 *
 * Each user practises about one day in 1.4 over the last weeks, so streaks run a few days; about
 * 10 % of sessions are too short to count and 15 % are unscored, as in the stream benchmark. XP,
 * levels, streaks and badges follow the rules' formulas (the level by its closed form), so that a
 * recompute under the same rules changes almost nothing. The facts are written in time order, one
 * session of every user at a time, so that a user's facts lie on as many heap pages as the
 * worker's would, and a recompute pays for reading them as it would in production.
 */
export async function fillRulesFacts(pool: Pool, shape: RulesFactsShape, progress: (line: string) => void): Promise<void> {
  const { users, sessionsPerUser, rules } = shape;
  const client = await pool.connect();
  const started = Date.now();
  const done = (what: string) => progress(`  ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  try {
    // A fill of a throwaway database: no wait for the WAL flush, and sorts, hashes and index builds in memory.
    await client.query(`SET synchronous_commit = off; SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'`);
    const xp = {
      base: rules.xp.base,
      score_step: rules.xp.score.step,
      score_xp_per_step: rules.xp.score.xpPerStep,
      duration_step_seconds: rules.xp.duration.stepSeconds,
      duration_xp_per_step: rules.xp.duration.xpPerStep,
      duration_max_steps: rules.xp.duration.maxSteps,
      minimum_duration_seconds: rules.xp.minimumDurationSeconds,
    };
    await withIndexesBuiltAfter(client, 'processed_events', done, async () => {
      for (let session = 1; session <= sessionsPerUser; session += 1) {
        await client.query(
          `INSERT INTO processed_events (event_id, user_id, session_id, source, outcome, xp_awarded, practice_date, processed_at,
             completed_at, zone, local_date, duration_seconds, score, skills, rules_version)
           SELECT s.event_id, s.user_id, s.session_id, 'kafka',
                  CASE WHEN s.counted THEN 'counted' ELSE 'not-counted' END,
                  CASE WHEN s.counted
                    THEN x.base + COALESCE(floor(s.score / x.score_step)::int * x.score_xp_per_step, 0)
                         + least(s.duration_seconds / x.duration_step_seconds, x.duration_max_steps) * x.duration_xp_per_step
                    ELSE 0 END,
                  CASE WHEN s.counted THEN s.local_date END,
                  s.completed_at + interval '2 seconds', s.completed_at, s.zone, s.local_date, s.duration_seconds, s.score, '{}', $5
           FROM json_to_record($4::json) AS x(base int, score_step int, score_xp_per_step int, duration_step_seconds int,
                  duration_xp_per_step int, duration_max_steps int, minimum_duration_seconds int),
                LATERAL (
                  SELECT r.*, (r.local_date + r.time_of_day) AT TIME ZONE r.zone AS completed_at,
                         r.duration_seconds >= x.minimum_duration_seconds AS counted
                  FROM (
                    SELECT md5('rules-bench:' || u.user_id || ':' || $2::int)::uuid::text AS event_id, u.user_id, 's-' || $2::int AS session_id,
                           ($6::text[])[u.n % array_length($6::text[], 1) + 1] AS zone,
                           current_date - 1 - floor(($3::int - $2::int) * 1.4 + random() * 0.6)::int AS local_date,
                           interval '7 hours' + random() * interval '14 hours' AS time_of_day,
                           CASE WHEN random() < 0.1 THEN 20 + floor(random() * 40)::int ELSE 300 + floor(random() * 3300)::int END AS duration_seconds,
                           CASE WHEN random() < 0.15 THEN NULL ELSE floor(random() * 101) END AS score
                    FROM (SELECT n, 'rules-u-' || lpad(n::text, 7, '0') AS user_id FROM generate_series(1, $1::int) AS n) u
                  ) r
                ) s
           ORDER BY s.completed_at`,
          [users, session, sessionsPerUser, JSON.stringify(xp), rules.version, ZONES],
        );
        done(`session ${session} of ${sessionsPerUser} of every user written (${session * users} facts)`);
      }
    });

    await withIndexesBuiltAfter(client, 'practice_days', done, async () => {
      await client.query(`INSERT INTO practice_days (user_id, practice_date)
                          SELECT DISTINCT user_id, practice_date FROM processed_events WHERE practice_date IS NOT NULL`);
      done('practice days written');
    });

    // Streaks by gaps and islands: consecutive days share day number - row number, and the latest
    // run has the highest such number.
    await client.query(
      `INSERT INTO user_profiles (user_id, total_xp, level, sessions_completed, best_score, current_streak, longest_streak,
         last_practice_date, timezone, rules_version, created_at, updated_at)
       WITH runs AS (
         SELECT user_id, island, count(*)::int AS length, max(practice_date) AS last_day
         FROM (SELECT user_id, practice_date,
                      (practice_date - date '2000-01-01') - row_number() OVER (PARTITION BY user_id ORDER BY practice_date) AS island
               FROM practice_days) d
         GROUP BY user_id, island
       ), streaks AS (
         SELECT user_id, (max(ARRAY[island, length]))[2]::int AS current_streak, max(length) AS longest_streak, max(last_day) AS last_day
         FROM runs GROUP BY user_id
       ), totals AS (
         SELECT user_id, sum(xp_awarded)::int AS total_xp, count(*) FILTER (WHERE outcome = 'counted')::int AS sessions_completed,
                max(score) FILTER (WHERE outcome = 'counted') AS best_score, min(zone) AS zone,
                min(processed_at) AS first_at, max(processed_at) AS last_at
         FROM processed_events GROUP BY user_id
       )
       SELECT t.user_id, t.total_xp,
              least($1::int, greatest(1, floor((1 + sqrt(1 + 4.0 * t.total_xp / $2::int)) / 2)::int)),
              t.sessions_completed, t.best_score, COALESCE(s.current_streak, 0), COALESCE(s.longest_streak, 0), s.last_day,
              t.zone, $3, t.first_at, t.last_at
       FROM totals t LEFT JOIN streaks s USING (user_id)
       ORDER BY t.user_id`,
      [rules.levels.maxLevel, rules.levels.xpFactor, rules.version],
    );
    done('profiles written');

    const badges = rules.badges.map(({ code, name, description, when }) => ({ code, name, description, metric: when.metric, at_least: when.atLeast }));
    await client.query(
      `INSERT INTO user_badges (user_id, badge_code, badge_name, badge_description, awarded_at, source_event_id)
       SELECT p.user_id, b.code, b.name, b.description, p.updated_at, md5('rules-bench:' || p.user_id || ':1')::uuid::text
       FROM user_profiles p
       JOIN json_to_recordset($1::json) AS b(code text, name text, description text, metric text, at_least int)
         ON CASE b.metric WHEN 'sessionsCompleted' THEN p.sessions_completed WHEN 'streakDays' THEN p.longest_streak
                          WHEN 'score' THEN COALESCE(p.best_score, -1) WHEN 'level' THEN p.level END >= b.at_least
       ORDER BY p.user_id, b.code`,
      [JSON.stringify(badges)],
    );
    done('badges written');

    await recordRulesInForce(client, rules, shape.rulesSource);
    // Autovacuum is off on the bench machines: without statistics the planner guesses.
    await client.query('VACUUM ANALYZE');
    done('vacuumed and analysed');
  } finally {
    client.release();
  }
}

/**
 * Drops the table's indexes, loads it, and builds them again from their own definitions, as a
 * restore does: a random UUID key inserted row by row costs several times the load itself.
 */
/** Records the rules as the version in force, in the shape RulesInForce records on a first start: the validated rules document, complete. */
export async function recordRulesInForce(client: PoolClient, rules: GamificationRules, source: string): Promise<void> {
  await client.query(
    `INSERT INTO rules_versions (version, rules, source, applied_by, started_at, completed_at, users_recomputed)
     VALUES ($1, $2::jsonb, $3, 'the benchmark fill', now(), now(), 0)`,
    [rules.version, JSON.stringify(rules), source],
  );
}

export async function withIndexesBuiltAfter(client: PoolClient, table: string, done: (what: string) => void, load: () => Promise<void>): Promise<void> {
  const { rows: indexes } = await client.query<{ name: string; constraint_definition: string | null; index_definition: string }>(
    `SELECT i.relname AS name, pg_get_constraintdef(c.oid) AS constraint_definition, pg_get_indexdef(i.oid) AS index_definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
     WHERE x.indrelid = $1::regclass`,
    [table],
  );
  for (const index of indexes) {
    await client.query(index.constraint_definition === null ? `DROP INDEX "${index.name}"` : `ALTER TABLE "${table}" DROP CONSTRAINT "${index.name}"`);
  }
  await load();
  for (const index of indexes) {
    await client.query(
      index.constraint_definition === null ? index.index_definition : `ALTER TABLE "${table}" ADD CONSTRAINT "${index.name}" ${index.constraint_definition}`,
    );
    done(`index ${index.name} built`);
  }
}
