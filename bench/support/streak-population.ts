import type { Pool } from 'pg';
import type { GamificationRules } from '@app/domain';
import { recordRulesInForce, withIndexesBuiltAfter } from './rules-facts';

export interface StreakPopulationShape {
  readonly users: number;
  /** Users whose streak notices are due at `now`. */
  readonly due: number;
  /** Users with a live streak whose next due instant is ahead (not due). */
  readonly live: number;
  /** Tenths of the due users (0 to 5) who owe a backlog of three notices, as after an outage; the others owe one or two. */
  readonly backlogTenths: number;
  /** Zones the users live in, in turn; none whose local clock nears a day end or the reminder (see `quietZones`). */
  readonly zones: readonly string[];
  /** The instant the population is as of: "today" and "now" in every zone. */
  readonly now: Date;
  /** The rules the profiles were decided under; recorded as the version in force. */
  readonly rules: GamificationRules;
  readonly rulesSource: string;
}

/** The users due at `now`, by shape, and the notices the contract's rules give them then. */
export interface DueNotices {
  readonly due: number;
  readonly shapes: { readonly frozen: number; readonly lost: number; readonly backlog: number };
  readonly notices: { readonly 'streak.at_risk': number; readonly 'streak.frozen': number; readonly 'streak.lost': number };
}

/**
 * Zones spread round the clock (the offsets of late November, one to three hours apart), so that
 * wherever a run starts some users are past the reminder time and some are not.
 */
export const SWEEP_ZONES = [
  'Pacific/Honolulu',
  'America/Los_Angeles',
  'America/New_York',
  'America/Sao_Paulo',
  'UTC',
  'Europe/Berlin',
  'Africa/Nairobi',
  'Asia/Kolkata',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
];

/**
 * The zones whose local clock does not reach the reminder time or midnight within `marginMinutes`
 * of `now`: what is due, and which notices, stays as the fill left it while the stage runs.
 */
export async function quietZones(pool: Pool, zones: readonly string[], now: Date, reminderLocalTime: string, marginMinutes: number): Promise<string[]> {
  const { rows } = await pool.query<{ zone: string }>(
    `SELECT zone FROM unnest($1::text[]) WITH ORDINALITY AS z(zone, position)
     CROSS JOIN LATERAL (SELECT ($2::timestamptz AT TIME ZONE zone)::time AS local_time) l
     WHERE NOT (l.local_time >= $3::time - $4::int * interval '1 minute' AND l.local_time < $3::time)
       AND NOT (l.local_time >= time '00:00' - $4::int * interval '1 minute')
     ORDER BY position`,
    [zones, now, reminderLocalTime, marginMinutes],
  );
  return rows.map((row) => row.zone);
}

/**
 * Leaves a freshly migrated database with `users` profiles as the engine would have written them,
 * streak columns included (contract section 8), and the rules recorded as the version in force.
 * Set-based SQL; the users are spread over the heap by a multiplicative permutation of their
 * number (k), as sign-ups and practice interleave in production. With T the user's local date at
 * `now`, L the last practice day, h the freezes held, R the reminder time:
 *
 * - due (k < due): the engine recorded L and then announced nothing more (a backlog, as after an
 *   outage): the day-end cursor is L − 1 (where recording L left it) and the due instant the
 *   reminder time of L + 1, which has passed. The sweep then owes, by the contract's rules:
 *   - 5 in 10 "frozen": L = T − 2, h = 1 or 2. Day T − 1 ended with a freeze: streak.frozen; the
 *     streak is alive today, so streak.at_risk too if R has passed in their zone (the at_risk of
 *     T − 1 is not sent late: its day is over).
 *   - 5 − b in 10 "lost": L = T − 2, h = 0. Day T − 1 ended the streak: streak.lost.
 *   - b in 10 "backlog" (b = backlogTenths, 2 by default): L = T − 4, h = 2. Days T − 3 and T − 2
 *     frozen, T − 1 lost: 3 notices.
 * - live (next `live` values of k): L = T, or L = T − 1 where R is still ahead today; the cursor as
 *   recording L left it, due at R of the first day after L not practised yet (R of T + 1, or of T).
 * - the rest: no streak pending, streak_due_at null. 1 in 10 never practised (short sessions only);
 *   the others lost their streak weeks or months ago, announced up to the day it was lost.
 *
 * A streak with h freezes held is at least 7h + 1 days long (one is earned every 7 days, and a
 * streak starts with none, since a lost streak held none). Practice days, facts and badges are not
 * written: the sweep reads user_profiles only.
 */
export async function fillStreakPopulation(pool: Pool, shape: StreakPopulationShape, progress: (line: string) => void): Promise<void> {
  const { users, due, live, zones, now, rules, backlogTenths } = shape;
  if (!Number.isInteger(backlogTenths) || backlogTenths < 0 || backlogTenths > 5) {
    throw new Error(`the backlog share is in tenths, 0 to 5, not ${backlogTenths}`);
  }
  const multiplier = permutationMultiplier(users);
  const client = await pool.connect();
  const started = Date.now();
  const done = (what: string) => progress(`  ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  try {
    await client.query(`SET synchronous_commit = off; SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'`);
    await withIndexesBuiltAfter(client, 'user_profiles', done, async () => {
      await client.query(
        `INSERT INTO user_profiles (user_id, total_xp, level, sessions_completed, best_score, current_streak, longest_streak,
           last_practice_date, timezone, rules_version, freezes_held, frozen_days, streak_warned_on, streak_day_ends_through,
           streak_due_at, created_at, updated_at)
         WITH numbered AS (
           SELECT n, 'sweep-u-' || lpad(n::text, 7, '0') AS user_id, ($4::text[])[n % cardinality($4::text[]) + 1] AS zone,
                  (n::bigint * $7::bigint) % $1::int AS k
           FROM generate_series(1, $1::int) AS n
         ), located AS (
           SELECT u.*, ($5::timestamptz AT TIME ZONE u.zone)::date AS today, ($5::timestamptz AT TIME ZONE u.zone)::time AS local_time
           FROM numbered u
         ), shaped AS (
           SELECT l.*,
                  CASE WHEN k < $2::int THEN CASE WHEN k % 10 < 5 THEN 'frozen' WHEN k % 10 < 10 - $11::int THEN 'lost' ELSE 'backlog' END
                       WHEN k < $2::int + $3::int THEN CASE WHEN k % 2 = 0 AND l.local_time < $6::time THEN 'live-yesterday' ELSE 'live-today' END
                       WHEN k % 10 = 0 THEN 'never'
                       ELSE 'ended' END AS shape
           FROM located l
         ), held AS (
           SELECT s.*,
                  CASE s.shape WHEN 'frozen' THEN 1 + (k / 10) % 2 WHEN 'lost' THEN 0 WHEN 'backlog' THEN 2 WHEN 'never' THEN 0
                               ELSE (k / 10) % 3 END::int AS freezes,
                  CASE s.shape WHEN 'frozen' THEN s.today - 2 WHEN 'lost' THEN s.today - 2 WHEN 'backlog' THEN s.today - 4
                               WHEN 'live-yesterday' THEN s.today - 1 WHEN 'live-today' THEN s.today
                               WHEN 'ended' THEN s.today - 5 - ((k / 10) % 400)::int END AS last_day
           FROM shaped s
         ), streak AS (
           SELECT h.*,
                  CASE WHEN h.shape = 'never' THEN 0 ELSE 7 * h.freezes + 1 + ((k / 30) % 30)::int END AS current_streak,
                  CASE WHEN h.shape = 'never' THEN 0 ELSE 7 * h.freezes + 1 + ((k / 30) % 30)::int + ((k / 7) % 40)::int END AS sessions
           FROM held h
         )
         SELECT s.user_id, s.sessions * 65,
                least($9::int, greatest(1, floor((1 + sqrt(1 + 4.0 * s.sessions * 65 / $10::int)) / 2)::int)),
                s.sessions, CASE WHEN s.sessions > 0 THEN (k % 101)::float8 END,
                s.current_streak, s.current_streak + CASE WHEN k % 4 = 0 THEN ((k / 4) % 20)::int ELSE 0 END,
                s.last_day, s.zone, $8::int, s.freezes, '{}'::date[],
                CASE WHEN s.shape = 'ended' THEN s.last_day + s.freezes + 1
                     WHEN s.shape <> 'never' AND s.current_streak > 1 AND (k / 10) % 3 = 0 THEN s.last_day - 1 END,
                CASE WHEN s.shape = 'ended' THEN s.last_day + s.freezes + 1
                     WHEN s.shape = 'never' THEN s.today - 1 - (k % 30)::int
                     ELSE s.last_day - 1 END,
                CASE WHEN s.shape IN ('frozen', 'lost', 'backlog', 'live-yesterday', 'live-today')
                     THEN ((s.last_day + 1) + $6::time) AT TIME ZONE s.zone END,
                $5::timestamptz - (420 + k % 300) * interval '1 day',
                CASE WHEN s.last_day IS NULL THEN $5::timestamptz - (k % 30) * interval '1 day'
                     ELSE (s.last_day + time '18:00') AT TIME ZONE s.zone END
         FROM streak s
         ORDER BY s.user_id`,
        [users, due, live, zones, now, rules.streakReminderLocalTime, multiplier, rules.version, rules.levels.maxLevel, rules.levels.xpFactor, backlogTenths],
      );
      done(`${users} profiles written`);
    });
    await recordRulesInForce(client, rules, shape.rulesSource);
    // Autovacuum is off on the bench machines: without statistics the planner guesses.
    await client.query('VACUUM ANALYZE user_profiles');
    done('vacuumed and analysed');
  } finally {
    client.release();
  }
}

/**
 * The users due at `now` as the fill left them, recognised by their shape, and the notices the
 * contract's rules give each shape (see fillStreakPopulation): what a sweep at `now` must queue.
 */
export async function dueNotices(pool: Pool, now: Date, reminderLocalTime: string): Promise<DueNotices> {
  const { rows } = await pool.query<{ due: number; frozen: number; lost: number; backlog: number; warned: number }>(
    `SELECT count(*)::int AS due,
            count(*) FILTER (WHERE today - last_practice_date = 2 AND freezes_held > 0)::int AS frozen,
            count(*) FILTER (WHERE today - last_practice_date = 2 AND freezes_held = 0)::int AS lost,
            count(*) FILTER (WHERE today - last_practice_date = 4 AND freezes_held = 2)::int AS backlog,
            count(*) FILTER (WHERE today - last_practice_date = 2 AND freezes_held > 0 AND local_time >= $2::time)::int AS warned
     FROM (SELECT last_practice_date, freezes_held, ($1::timestamptz AT TIME ZONE timezone)::date AS today,
                  ($1::timestamptz AT TIME ZONE timezone)::time AS local_time
           FROM user_profiles WHERE streak_due_at <= $1) d`,
    [now, reminderLocalTime],
  );
  const { due, frozen, lost, backlog, warned } = rows[0];
  if (frozen + lost + backlog !== due) {
    throw new Error(`${due - frozen - lost - backlog} of the ${due} due users have none of the filled shapes`);
  }
  return {
    due,
    shapes: { frozen, lost, backlog },
    notices: { 'streak.at_risk': warned, 'streak.frozen': frozen + 2 * backlog, 'streak.lost': lost + backlog },
  };
}

/** A multiplier coprime with `users`: n ↦ n·m mod users permutes 0 … users − 1. */
function permutationMultiplier(users: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  // Knuth's multiplicative-hash constant (a prime); its product with a user number stays exact in a double.
  for (let multiplier = 2_654_435_761; ; multiplier += 2) {
    if (gcd(multiplier, users) === 1) {
      return multiplier;
    }
  }
}
