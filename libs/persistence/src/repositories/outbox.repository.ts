import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { statementsOf, type Transaction } from '../unit-of-work';
import { recordset } from './recordset';

export interface OutboxEntry {
  /** Stable across redeliveries: consumers deduplicate on it. */
  readonly eventId: string;
  readonly topic: string;
  readonly key: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

interface OutboxRow {
  readonly event_id: string;
  readonly topic: string;
  readonly message_key: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

function outboxRow(entry: OutboxEntry): OutboxRow {
  return { event_id: entry.eventId, topic: entry.topic, message_key: entry.key, payload: entry.payload };
}

/** The only owner of outbox_messages. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds entries inside the caller's transaction, so they exist only if it commits. */
  async append(transaction: Transaction, entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, payload)
       SELECT v.event_id, v.topic, v.message_key, v.payload
       FROM json_to_recordset($1::json) AS v(event_id uuid, topic text, message_key text, payload json)
       ON CONFLICT (event_id) DO NOTHING`,
      [recordset(entries.map(outboxRow))],
    );
  }

  /**
   * Locks up to `limit` unsent rows for the given topics (skipping rows another relay holds), hands
   * them to `publish`, and marks them sent only once it resolved. If publishing fails, or the process
   * dies before the commit, the rows stay unsent and go out again later with the same event ids.
   */
  async relayPending(
    limit: number,
    topics: readonly string[],
    publish: (entries: OutboxEntry[]) => Promise<void>,
  ): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; event_id: string; topic: string; message_key: string; payload: Record<string, unknown> }> =
        await manager.query(
          `SELECT id, event_id, topic, message_key, payload FROM outbox_messages
           WHERE sent_at IS NULL AND topic = ANY($2::text[]) ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit, topics],
        );
      if (rows.length === 0) {
        return 0;
      }
      await publish(
        rows.map((row) => ({ eventId: row.event_id, topic: row.topic, key: row.message_key, payload: row.payload })),
      );
      await manager.query(`UPDATE outbox_messages SET sent_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }

  /**
   * Deletes up to `limit` rows sent before `sentBefore`, oldest first, in one statement: its own short
   * transaction. Rows another transaction holds are skipped rather than waited for (a later pass takes
   * them), so this never queues behind the relay or the consumer. Unsent rows are never candidates.
   * Returns the number of rows deleted.
   */
  async deleteSentBefore(sentBefore: Date, limit: number): Promise<number> {
    // ANY(ARRAY(…)) makes the outer DELETE fetch the chosen ids through the primary key; an IN (…)
    // semi-join may be planned as a scan of the whole table.
    const [row]: Array<{ deleted: number }> = await this.dataSource.query(
      `WITH deleted AS (
         DELETE FROM outbox_messages
         WHERE id = ANY(ARRAY(
           SELECT id FROM outbox_messages
           WHERE sent_at < $1
           ORDER BY sent_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED))
         RETURNING id)
       SELECT count(*)::int AS deleted FROM deleted`,
      [sentBefore, limit],
    );
    return row.deleted;
  }

  /**
   * Makes the space of deleted rows reusable. Autovacuum would do it, but it may be off or slow to
   * come to a queue table (it is off on this project's machines); a plain VACUUM takes no lock that
   * the consumer's inserts or the relay's updates wait for.
   */
  async reclaimSpace(): Promise<void> {
    await this.dataSource.query(`VACUUM outbox_messages`);
  }

  /** How far the relay is behind: unsent rows and the age of the oldest, for metrics. */
  async lag(now: Date): Promise<{ unsent: number; oldestAgeSeconds: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS unsent, min(created_at) AS oldest FROM outbox_messages WHERE sent_at IS NULL`,
    );
    const oldest: Date | null = row.oldest;
    return { unsent: row.unsent, oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (now.getTime() - oldest.getTime()) / 1000) };
  }
}
