import type { Pool } from 'pg';

/** The bench's users, `lb-0000001` …, in userId order; the one asked for around=me sits mid-board. */
export const boardUserId = (index: number) => `lb-${String(index).padStart(7, '0')}`;

/**
 * `users` standings on one board and period, written by set-based SQL straight into
 * leaderboard_entries (the source of truth the engine's writes keep): XP from 10 to 5,009 with many
 * users on each value, so that the order rests on the tie rule, and a reached-at spread over the week.
 */
export async function fillBoard(pool: Pool, code: string, periodKey: string, periodStart: Date, users: number): Promise<void> {
  await pool.query(`DELETE FROM leaderboard_entries WHERE code = $1 AND period_key = $2`, [code, periodKey]);
  await pool.query(
    `INSERT INTO leaderboard_entries (user_id, code, period_key, xp, reached_at, revision)
     SELECT 'lb-' || lpad(i::text, 7, '0'), $1, $2, 10 + (i * 7919) % 5000,
            $3::timestamptz + ((i * 104729) % 518400000) * interval '1 millisecond', 1
     FROM generate_series(1::bigint, $4::bigint) AS i`,
    [code, periodKey, periodStart.toISOString(), users],
  );
  await pool.query('VACUUM ANALYZE leaderboard_entries');
}
