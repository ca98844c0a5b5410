import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { Clock } from '@app/application';
import { AppConfig, type Topics } from '@app/config';
import { TopicAdmin } from '@app/messaging';
import { createDataSource, OutboxRepository, UnitOfWork } from '@app/persistence';
import { eventually, TopicRecorder } from '@app/testing';
import { WorkerMetrics } from '../../apps/worker/src/observability/worker-metrics';
import { OutboxRetention, RETENTION_BATCH_ROWS } from '../../apps/worker/src/outbox/outbox-retention.service';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { workerTestEnv } from '../support/test-env';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The worker's clock, moved by the test instead of by waiting. */
class SettableClock extends Clock {
  private current = new Date();

  now(): Date {
    return this.current;
  }

  set(at: Date): void {
    this.current = at;
  }
}

describe('outbox retention', () => {
  const clock = new SettableClock();
  let worker: TestingModule;
  let dataSource: DataSource;
  let recorder: TopicRecorder;
  let topics: Topics;
  let retentionMs: number;

  /**
   * Sets the worker's clock 30 minutes ahead of the database's and returns the retention's cut-off,
   * 23.5 hours before the wall clock: the other test files' workers (real clock, 24 hours) leave the
   * fixtures around it alone, and the rows that the other files' relays just sent are far from it.
   */
  const cutoffAheadOfWallClock = (): { now: Date; cutoff: number } => {
    const now = new Date(Date.now() + 30 * MINUTE_MS);
    clock.set(now);
    return { now, cutoff: now.getTime() - retentionMs };
  };

  beforeAll(async () => {
    const env = workerTestEnv();
    worker = await Test.createTestingModule({
      imports: [
        WorkerModule.forRoot({
          env,
          onFatalError: (error) => {
            throw error;
          },
        }),
      ],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    await worker.init();
    // The relay publishes only to topics that exist; no session is consumed here, so no consumer is needed to create them.
    await worker.get(TopicAdmin).ensureTopics();
    const config = worker.get(AppConfig);
    topics = config.topics;
    retentionMs = config.outbox.retentionHours * HOUR_MS;
    recorder = await TopicRecorder.start(env.KAFKA_BROKERS.split(','), [topics.badgeAwarded]);
    dataSource = createDataSource({ url: env.DATABASE_URL, poolSize: 4 }, 'gamification-tests');
    await dataSource.initialize();
  });

  afterAll(async () => {
    await recorder?.stop();
    await worker?.close();
    await dataSource?.destroy();
  });

  /**
   * Rows the relay would have published at the given instants. Written here directly because only the
   * relay marks rows sent, and only at the database's now().
   */
  async function seedSent(key: string, sentAt: readonly Date[]): Promise<void> {
    await dataSource.query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, payload, created_at, sent_at)
       SELECT gen_random_uuid(), $1, $2, '{}'::json, s.sent_at - interval '1 second', s.sent_at
       FROM unnest($3::timestamptz[]) AS s(sent_at)`,
      [topics.badgeAwarded, key, sentAt],
    );
  }

  async function rowsOf(key: string): Promise<{ sent: number; unsent: number }> {
    const [row] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent, count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent
       FROM outbox_messages WHERE message_key = $1`,
      [key],
    );
    return row;
  }

  async function deletedSoFar(): Promise<number> {
    const counter = await worker.get(WorkerMetrics).registry.getSingleMetric('gamification_outbox_rows_deleted_total')!.get();
    return counter.values[0]?.value ?? 0;
  }

  it('deletes sent rows older than the retention and keeps newer sent rows and unsent rows however old', async () => {
    const { now, cutoff } = cutoffAheadOfWallClock();
    const older = `retention-older-${randomUUID()}`;
    const newer = `retention-newer-${randomUUID()}`;
    const unsent = `retention-unsent-${randomUUID()}`;
    await seedSent(older, [new Date(cutoff - MINUTE_MS), new Date(cutoff - 2 * MINUTE_MS)]);
    await seedSent(newer, [new Date(cutoff + MINUTE_MS), new Date(cutoff + 2 * MINUTE_MS)]);
    // A year old and never sent: its topic does not exist, so the relay leaves it waiting.
    await dataSource.query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, payload, created_at)
       VALUES (gen_random_uuid(), $1, $2, '{}'::json, $3)`,
      [`no.such.topic.${randomUUID()}`, unsent, new Date(cutoff - 365 * 24 * HOUR_MS)],
    );
    const deletedBefore = await deletedSoFar();

    const retention = worker.get(OutboxRetention);
    const passStarted = new Date();
    expect(await retention.purge()).toEqual([2]);
    // The pass vacuums the table, so deleted rows free their space wherever autovacuum does not run.
    const [vacuum] = await dataSource.query(`SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'outbox_messages'`);
    expect(vacuum.last_vacuum?.getTime()).toBeGreaterThanOrEqual(passStarted.getTime() - 1000);
    expect(await rowsOf(older)).toEqual({ sent: 0, unsent: 0 });
    expect(await rowsOf(newer)).toEqual({ sent: 2, unsent: 0 });
    expect(await rowsOf(unsent)).toEqual({ sent: 0, unsent: 1 });
    expect(await deletedSoFar()).toBe(deletedBefore + 2);

    // A minute and a half later the first of the newer rows has aged past the cut-off; the second has not.
    clock.set(new Date(now.getTime() + 1.5 * MINUTE_MS));
    expect(await retention.purge()).toEqual([1]);
    expect(await rowsOf(newer)).toEqual({ sent: 1, unsent: 0 });
    expect(await rowsOf(unsent)).toEqual({ sent: 0, unsent: 1 });
  });

  it('deletes in batches, skips rows another transaction holds, and the relay keeps publishing meanwhile', async () => {
    const { cutoff } = cutoffAheadOfWallClock();
    const old = `retention-batches-${randomUUID()}`;
    const held = `retention-held-${randomUUID()}`;
    const total = 5 * RETENTION_BATCH_ROWS + 500;
    await seedSent(
      old,
      Array.from({ length: total }, (_, index) => new Date(cutoff - MINUTE_MS - index * 1000)),
    );
    // The oldest of all, so that a delete which waited for them would wait in its first batch.
    await seedSent(held, Array.from({ length: 10 }, (_, index) => new Date(cutoff - 3 * HOUR_MS - index * 1000)));
    const deletedBefore = await deletedSoFar();

    const awards = `retention-live-${randomUUID()}`;
    const outbox = worker.get(OutboxRepository);
    const unitOfWork = worker.get(UnitOfWork);
    const appendAwards = async (count: number): Promise<void> => {
      for (let index = 0; index < count; index += 1) {
        const eventId = randomUUID();
        await unitOfWork.run((transaction) =>
          outbox.append(transaction, [{ eventId, topic: topics.badgeAwarded, key: awards, payload: { eventId, probe: index } }]),
        );
      }
    };

    const holder = dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT id FROM outbox_messages WHERE message_key = $1 FOR UPDATE`, [held]);
      const retention = worker.get(OutboxRetention);
      const [batches] = await Promise.all([
        Promise.race([
          retention.purge(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('the retention waited for rows another transaction holds')), 20_000).unref(),
          ),
        ]),
        appendAwards(200),
      ]);

      expect(batches).toEqual([1000, 1000, 1000, 1000, 1000, 500]);
      expect(await rowsOf(old)).toEqual({ sent: 0, unsent: 0 });
      expect(await rowsOf(held)).toEqual({ sent: 10, unsent: 0 });
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }

    expect(await worker.get(OutboxRetention).purge()).toEqual([10]);
    expect(await rowsOf(held)).toEqual({ sent: 0, unsent: 0 });
    expect(await deletedSoFar()).toBe(deletedBefore + total + 10);

    // Every award appended during the deletes went out, and none was deleted: each was sent after the cut-off.
    await eventually('the relay to publish every award appended during the deletes', async () =>
      (await rowsOf(awards)).unsent === 0 ? true : undefined,
    );
    expect(await rowsOf(awards)).toEqual({ sent: 200, unsent: 0 });
    expect(await recorder.waitFor(topics.badgeAwarded, awards, 200)).toHaveLength(200);
  });
});
