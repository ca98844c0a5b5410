import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { loadRulesFile } from '@app/config';
import { createDataSource } from '@app/persistence';
import { eventually, sessionStream, TopicRecorder, WorkerProcess } from '@app/testing';
import { workerTestEnv } from '../support/test-env';
import { assertInvariants } from './support/invariants';

const rules = loadRulesFile('config/rules.yaml');

describe('scenario 5: three workers in one group, one killed and one added during a stream', () => {
  const env = {
    ...workerTestEnv(),
    KAFKA_TOPIC_PARTITIONS: '6',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_REBALANCE_TIMEOUT_MS: '8000',
    MAX_EVENTS_PER_TRANSACTION: '50',
  };
  const topics = {
    sessionCompleted: env.TOPIC_SESSION_COMPLETED,
    badgeAwarded: env.TOPIC_BADGE_AWARDED,
    levelUp: env.TOPIC_LEVEL_UP,
    sessionCompletedDlq: env.TOPIC_SESSION_COMPLETED_DLQ,
  };
  const brokers = env.KAFKA_BROKERS.split(',');
  let dataSource: DataSource;
  let producer: Producer;
  let recorder: TopicRecorder | null = null;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    dataSource = createDataSource({ url: env.DATABASE_URL, poolSize: 2 }, 'gamification-tests');
    await dataSource.initialize();
    producer = new Kafka({ brokers, clientId: 'rebalance-producer', logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill('SIGTERM')));
    await recorder?.stop();
    await producer?.disconnect();
    await dataSource?.destroy();
  });

  it('keeps every invariant and applies each user’s events in the order they were produced', async () => {
    for (let index = 0; index < 3; index += 1) {
      workers.push(await WorkerProcess.start(env));
    }
    recorder = await TopicRecorder.start(brokers, [topics.badgeAwarded, topics.levelUp, topics.sessionCompletedDlq]);
    const events = sessionStream(`rebalance-${env.KAFKA_GROUP_ID.slice(-8)}`, 60, 3000);
    const processedSoFar = async () =>
      (
        await dataSource.query(`SELECT count(*)::int AS count FROM processed_events WHERE event_id = ANY($1)`, [
          events.map((event) => event.eventId),
        ])
      )[0].count as number;
    const sending = (async () => {
      for (let start = 0; start < events.length; start += 30) {
        await producer.send({
          topic: topics.sessionCompleted,
          acks: -1,
          messages: events.slice(start, start + 30).map((event) => ({ key: event.userId, value: JSON.stringify(event) })),
        });
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    await eventually('the group to make progress', async () => ((await processedSoFar()) >= 300 ? true : undefined), 60_000);
    await workers[1].kill('SIGKILL');
    const atKill = await processedSoFar();
    workers.push(await WorkerProcess.start(env));
    await sending;

    expect(atKill).toBeLessThan(events.length);
    await assertInvariants({ dataSource, recorder, brokers, topics, groupIds: [env.KAFKA_GROUP_ID], rules, produced: events });
    const applied: Array<{ event_id: string; user_id: string; processed_at: Date }> = await dataSource.query(
      `SELECT event_id, user_id, processed_at FROM processed_events WHERE event_id = ANY($1)`,
      [events.map((event) => event.eventId)],
    );
    const appliedAt = new Map(applied.map((row) => [row.event_id, row.processed_at.getTime()]));
    const outOfOrder = events.filter((event, index) => {
      const previous = events.slice(0, index).filter((other) => other.userId === event.userId).at(-1);
      return previous !== undefined && appliedAt.get(previous.eventId)! > appliedAt.get(event.eventId)!;
    });
    expect(outOfOrder).toEqual([]);
  });
});
