import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets the outbox retention find sent rows older than its cut-off through an index instead of
 * scanning the table. Partial, like the unsent index, so that rows waiting for the relay stay out.
 */
export class IndexSentOutboxMessages1795697547248 implements MigrationInterface {
  name = 'IndexSentOutboxMessages1795697547248';
  // CONCURRENTLY cannot run inside a transaction; it builds the index without blocking the consumer's
  // inserts and the relay's updates on a table that already holds a day of traffic.
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    // A build that failed half-way leaves an invalid index of this name behind: start again from none.
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS outbox_messages_sent_at`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY outbox_messages_sent_at ON outbox_messages (sent_at) WHERE sent_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // TypeORM reverts inside a transaction whatever `transaction` says, so no CONCURRENTLY here;
    // dropping an index takes its table's lock only for a moment.
    await queryRunner.query(`DROP INDEX IF EXISTS outbox_messages_sent_at`);
  }
}
