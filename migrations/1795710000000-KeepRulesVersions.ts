import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rules in force move from a file each process reads to the database (contract section 6): every
 * version applied, with who applied it and when, and for each user the version their state was last
 * computed under. A version whose apply has not finished (completed_at null) already decides new
 * events; users still behind it are recomputed before anything else is decided for them.
 * user_profiles.rules_version starts null: the first process to start records its rules file as the
 * first version and puts every existing user on it, in one transaction.
 */
export class KeepRulesVersions1795710000000 implements MigrationInterface {
  name = 'KeepRulesVersions1795710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rules_versions (
        version          integer       PRIMARY KEY CHECK (version > 0),
        rules            jsonb         NOT NULL,
        source           varchar(1024) NOT NULL,
        applied_by       varchar(256)  NOT NULL,
        started_at       timestamptz   NOT NULL,
        completed_at     timestamptz   NULL,
        users_recomputed integer       NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(`ALTER TABLE user_profiles ADD COLUMN rules_version integer NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE user_profiles DROP COLUMN rules_version`);
    await queryRunner.query(`DROP TABLE rules_versions`);
  }
}
