import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user's all-time standing is their total XP, which user_profiles already holds: the profile now
 * also holds when they reached it (xp_reached_at, engine time, the all-time boards' tie-break) and a
 * revision that grows with every change of the two (xp_revision, for Redis's newest-wins). The run's
 * profile update writes them, so an all-time board costs no row of its own: a third of the rows the
 * leaderboards wrote per run with the shipped boards. All-time rows of leaderboard_entries move here.
 *
 * A profile with XP and no all-time row (rules without an all-time board) takes its last update as
 * the time it reached its XP, the closest the database knows; applying rules that add such a board
 * recomputes every user, which folds the exact time from the session facts. Each moved standing
 * takes the next revision: where a row had fallen behind the profile's total, Redis takes the total.
 */
export class KeepAllTimeStandingsOnProfiles1795750000000 implements MigrationInterface {
  name = 'KeepAllTimeStandingsOnProfiles1795750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE user_profiles ADD COLUMN xp_reached_at timestamptz NULL, ADD COLUMN xp_revision bigint NOT NULL DEFAULT 0`);
    await queryRunner.query(`
      UPDATE user_profiles p
      SET xp_reached_at = COALESCE(e.reached_at, p.updated_at), xp_revision = COALESCE(e.revision, 0) + 1
      FROM user_profiles u
        LEFT JOIN (SELECT DISTINCT ON (user_id) user_id, reached_at, revision FROM leaderboard_entries
                   WHERE period_key = 'all' ORDER BY user_id, revision DESC) AS e ON e.user_id = u.user_id
      WHERE u.user_id = p.user_id AND u.total_xp > 0`);
    await queryRunner.query(`DELETE FROM leaderboard_entries WHERE period_key = 'all'`);
  }

  /** Puts the all-time standings back under the contract's board, ALL_TIME_XP; `npm run rules -- apply` restates any other. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO leaderboard_entries (user_id, code, period_key, xp, reached_at, revision)
      SELECT user_id, 'ALL_TIME_XP', 'all', total_xp, xp_reached_at, GREATEST(xp_revision, 1) FROM user_profiles
      WHERE total_xp > 0 AND xp_reached_at IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE user_profiles DROP COLUMN xp_reached_at, DROP COLUMN xp_revision`);
  }
}
