import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leaderboards (contract section 9). Postgres is their source of truth: leaderboard_entries holds each
 * user's XP per board and period and when they reached it (engine time), written in the transaction
 * that decides the XP; revision grows with every change of a row, so the Redis read model keeps the
 * newest whatever order its writes arrive in. A transaction that changes entries also queues them in
 * leaderboard_projections; the row is deleted once Redis has them, so a write lost to a crash is
 * found and made again. leaderboard_finals records each period announced final (leaderboard.finished),
 * which no later XP changes.
 *
 * The boards come with the rules (version 4); users from before get their entries when that version
 * is applied (its recompute folds them from the session facts), so nothing is filled here.
 */
export class KeepLeaderboards1795730000000 implements MigrationInterface {
  name = 'KeepLeaderboards1795730000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE leaderboard_entries (
        user_id varchar(128) NOT NULL,
        code varchar(64) NOT NULL,
        period_key varchar(16) NOT NULL,
        xp bigint NOT NULL CHECK (xp >= 0),
        reached_at timestamptz NOT NULL,
        revision bigint NOT NULL DEFAULT 1,
        PRIMARY KEY (user_id, code, period_key)
      )`);
    // The ranking itself (contract section 9), in the order Redis ranks: userId by its bytes.
    await queryRunner.query(`
      CREATE INDEX leaderboard_entries_ranking
        ON leaderboard_entries (code, period_key, xp DESC, reached_at, user_id COLLATE "C") WHERE xp > 0`);
    await queryRunner.query(`
      CREATE TABLE leaderboard_projections (
        id bigserial PRIMARY KEY,
        entries jsonb NOT NULL,
        queued_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX leaderboard_projections_queued_at ON leaderboard_projections (queued_at)`);
    await queryRunner.query(`
      CREATE TABLE leaderboard_finals (
        code varchar(64) NOT NULL,
        period_key varchar(16) NOT NULL,
        participants integer NOT NULL,
        finished_at timestamptz NOT NULL,
        PRIMARY KEY (code, period_key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE leaderboard_finals`);
    await queryRunner.query(`DROP TABLE leaderboard_projections`);
    await queryRunner.query(`DROP TABLE leaderboard_entries`);
  }
}
