import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper leaderboard writes, measured on a run's leaderboard statement (2,850 standings):
 * - A queued projection names the run's users and the boards and periods it touched, instead of every
 *   (user, board, period) it changed as a JSON array, which took a quarter of the statement. Catching
 *   up a lost projection writes again every standing of those users on those boards and periods (the
 *   changed ones among them; absolute values, newest revision wins, so the others change nothing).
 *   Rows queued before are converted.
 * - The ranking index (code, period_key, xp DESC, reached_at, user_id) becomes an index on
 *   (code, period_key), and pages keep 10% free: an update of a standing changes no indexed column,
 *   so it is a heap-only update that writes no index at all (the statement took 46 ms with the
 *   ranking index, 28 without). Reads from Postgres, which answer only while a board is rebuilt in
 *   Redis and are bounded per process, sort the board's rows instead of walking an index.
 */
export class LightenLeaderboardWrites1795740000000 implements MigrationInterface {
  name = 'LightenLeaderboardWrites1795740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE leaderboard_projections ADD COLUMN user_ids text[], ADD COLUMN boards text[]`);
    await queryRunner.query(`
      UPDATE leaderboard_projections
      SET user_ids = ARRAY(SELECT DISTINCT entry->>0 FROM jsonb_array_elements(entries) AS entry),
          boards = ARRAY(SELECT DISTINCT (entry->>1) || ':' || (entry->>2) FROM jsonb_array_elements(entries) AS entry)`);
    await queryRunner.query(`
      ALTER TABLE leaderboard_projections
        ALTER COLUMN user_ids SET NOT NULL, ALTER COLUMN boards SET NOT NULL, DROP COLUMN entries`);
    await queryRunner.query(`DROP INDEX leaderboard_entries_ranking`);
    await queryRunner.query(`CREATE INDEX leaderboard_entries_board ON leaderboard_entries (code, period_key)`);
    await queryRunner.query(`ALTER TABLE leaderboard_entries SET (fillfactor = 90)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE leaderboard_entries RESET (fillfactor)`);
    await queryRunner.query(`DROP INDEX leaderboard_entries_board`);
    await queryRunner.query(`
      CREATE INDEX leaderboard_entries_ranking
        ON leaderboard_entries (code, period_key, xp DESC, reached_at, user_id COLLATE "C") WHERE xp > 0`);
    await queryRunner.query(`ALTER TABLE leaderboard_projections ADD COLUMN entries jsonb`);
    await queryRunner.query(`
      UPDATE leaderboard_projections
      SET entries = (SELECT jsonb_agg(jsonb_build_array(user_id, split_part(board, ':', 1), split_part(board, ':', 2)))
                     FROM unnest(user_ids) AS user_id, unnest(boards) AS board)`);
    await queryRunner.query(`ALTER TABLE leaderboard_projections ALTER COLUMN entries SET NOT NULL, DROP COLUMN user_ids, DROP COLUMN boards`);
  }
}
