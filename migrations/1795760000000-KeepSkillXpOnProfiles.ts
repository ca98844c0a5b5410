import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The skill badges (SKILL_EXPLORER, FIRST_MASTERY) are judged on the XP of each node of the skill
 * tree a user practised: user_profiles.skill_xp keeps it, written with the user's other totals, so a
 * decision reads it with the profile instead of folding the user's facts. It is filled here from the
 * session facts the way the engine folds them (contract section 10), under the tree of each user's
 * rules version: a counted fact gives its XP to every node that a skill it lists reaches (the skill
 * and its ancestors), each node once.
 */
export class KeepSkillXpOnProfiles1795760000000 implements MigrationInterface {
  name = 'KeepSkillXpOnProfiles1795760000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE user_profiles ADD COLUMN skill_xp jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`
      WITH RECURSIVE tree AS (
        SELECT v.version, node->>'code' AS code, node->>'parent' AS parent
        FROM rules_versions v CROSS JOIN LATERAL jsonb_array_elements(COALESCE(v.rules->'skills', '[]'::jsonb)) AS node
      ), reaches (version, listed, code) AS (
        SELECT version, code, code FROM tree
        UNION
        SELECT r.version, r.listed, t.parent FROM reaches r JOIN tree t ON t.version = r.version AND t.code = r.code
        WHERE t.parent IS NOT NULL
      ), reached AS (
        SELECT DISTINCT e.event_id, e.user_id, e.xp_awarded, r.code
        FROM processed_events e
          JOIN user_profiles p ON p.user_id = e.user_id
          CROSS JOIN LATERAL unnest(e.skills) AS listed(code)
          JOIN reaches r ON r.version = p.rules_version AND r.listed = listed.code
        WHERE e.outcome = 'counted'
      )
      UPDATE user_profiles p SET skill_xp = totals.skill_xp
      FROM (SELECT user_id, jsonb_object_agg(code, xp) AS skill_xp
            FROM (SELECT user_id, code, sum(xp_awarded)::int AS xp FROM reached GROUP BY user_id, code) AS nodes
            GROUP BY user_id) AS totals
      WHERE totals.user_id = p.user_id`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE user_profiles DROP COLUMN skill_xp`);
  }
}
