import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A queued leaderboard projection names the run's users and the boards and periods it touched,
 * instead of every (user, board, period) it changed as a JSON array: building that array was a
 * quarter of the cost of a run's leaderboard statement. Catching up a lost projection writes again
 * every standing of those users on those boards and periods, the changed ones among them (absolute
 * values, newest revision wins, so the others are written unchanged). Rows queued before are converted.
 */
export class QueueLeaderboardUsers1795740000000 implements MigrationInterface {
  name = 'QueueLeaderboardUsers1795740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE leaderboard_projections ADD COLUMN user_ids text[], ADD COLUMN boards text[]`);
    await queryRunner.query(`
      UPDATE leaderboard_projections
      SET user_ids = ARRAY(SELECT DISTINCT entry->>0 FROM jsonb_array_elements(entries) AS entry),
          boards = ARRAY(SELECT DISTINCT (entry->>1) || ':' || (entry->>2) FROM jsonb_array_elements(entries) AS entry)`);
    await queryRunner.query(`
      ALTER TABLE leaderboard_projections
        ALTER COLUMN user_ids SET NOT NULL, ALTER COLUMN boards SET NOT NULL, DROP COLUMN entries`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE leaderboard_projections ADD COLUMN entries jsonb`);
    await queryRunner.query(`
      UPDATE leaderboard_projections
      SET entries = (SELECT jsonb_agg(jsonb_build_array(user_id, split_part(board, ':', 1), split_part(board, ':', 2)))
                     FROM unnest(user_ids) AS user_id, unnest(boards) AS board)`);
    await queryRunner.query(`ALTER TABLE leaderboard_projections ALTER COLUMN entries SET NOT NULL, DROP COLUMN user_ids, DROP COLUMN boards`);
  }
}
