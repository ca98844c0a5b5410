import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Streak freezes and clock-driven streak notices (contract section 8). The streak as recorded is the
 * state at the end of the latest practice day: current_streak (as before), the freezes then held and
 * the frozen days of that streak; what a later day brings is decided from them on read and by the
 * sweep. The sweep finds the users it has work for through streak_due_at (the next instant a notice
 * can become due, recomputed whenever their streak or zone changes) and never announces a date twice:
 * streak_warned_on is the latest date an at_risk went out for, streak_day_ends_through the latest
 * date whose end was dealt with.
 *
 * Users from before: freezes were off, so their recorded streak holds as it is. No day that ended
 * before this migration is announced (their day ends are dealt with up to yesterday in their zone, or
 * in UTC where PostgreSQL does not know the zone's name); a user whose streak may still be alive is
 * due at once, and the first sweep places them.
 */
export class KeepStreakFreezes1795720000000 implements MigrationInterface {
  name = 'KeepStreakFreezes1795720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE user_profiles
        ADD COLUMN freezes_held integer NOT NULL DEFAULT 0 CHECK (freezes_held >= 0),
        ADD COLUMN frozen_days date[] NOT NULL DEFAULT '{}',
        ADD COLUMN streak_warned_on date NULL,
        ADD COLUMN streak_day_ends_through date NULL,
        ADD COLUMN streak_due_at timestamptz NULL`);
    await queryRunner.query(`
      UPDATE user_profiles p
      SET streak_day_ends_through = (now() AT TIME ZONE z.zone)::date - 1,
          streak_due_at = CASE WHEN p.last_practice_date >= (now() AT TIME ZONE z.zone)::date - 1 THEN now() END
      FROM (SELECT u.user_id, COALESCE(known.name, 'UTC') AS zone
            FROM user_profiles u LEFT JOIN (SELECT name FROM pg_timezone_names) known ON known.name = u.timezone
            WHERE u.last_practice_date IS NOT NULL) z
      WHERE p.user_id = z.user_id`);
    await queryRunner.query(`CREATE INDEX user_profiles_streak_due ON user_profiles (streak_due_at) WHERE streak_due_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX user_profiles_streak_due`);
    await queryRunner.query(`
      ALTER TABLE user_profiles
        DROP COLUMN streak_due_at, DROP COLUMN streak_day_ends_through, DROP COLUMN streak_warned_on,
        DROP COLUMN frozen_days, DROP COLUMN freezes_held`);
  }
}
