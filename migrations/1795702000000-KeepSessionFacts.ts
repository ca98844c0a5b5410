import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * processed_events becomes the append-only record of every session the engine decided (contract
 * section 6): what the producer sent, the zone and local date the decision used, and the version of
 * the rules that decided it, so that a user's state can be recomputed under other rules. Rows from
 * before this migration keep these columns null: their recorded outcome is all that is known of them.
 * Nullable columns without a default are added without rewriting the table.
 */
export class KeepSessionFacts1795702000000 implements MigrationInterface {
  name = 'KeepSessionFacts1795702000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE processed_events
        ADD COLUMN completed_at     timestamptz NULL,
        ADD COLUMN zone             varchar(64) NULL,
        ADD COLUMN local_date       date        NULL,
        ADD COLUMN duration_seconds integer     NULL,
        ADD COLUMN score            float8      NULL,
        ADD COLUMN skills           text[]      NULL,
        ADD COLUMN rules_version    integer     NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE processed_events
        DROP COLUMN rules_version, DROP COLUMN skills, DROP COLUMN score, DROP COLUMN duration_seconds,
        DROP COLUMN local_date, DROP COLUMN zone, DROP COLUMN completed_at`);
  }
}
