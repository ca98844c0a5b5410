import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { loadRulesFile } from '@app/config';
import { createDataSource } from '@app/persistence';
import { eventually, sessionStream, TopicRecorder, WorkerProcess } from '@app/testing';
import type { DataSource } from 'typeorm';
import { workerTestEnv } from '../support/test-env';
import { assertInvariants } from './support/invariants';

const rules = loadRulesFile('config/rules.yaml');

describe('scenario 1: the worker SIGKILLed mid-batch, again and again', () => {
  const env = { ...workerTestEnv(), KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_REBALANCE_TIMEOUT_MS: '8000', MAX_EVENTS_PER_TRANSACTION: '50' };
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
    producer = new Kafka({ brokers, clientId: 'fault-producer', logLevel: logLevel.NOTHING }).producer({
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

  it('applies every event exactly once and publishes every award, with its stable id', async () => {
    workers.push(await WorkerProcess.start(env));
    recorder = await TopicRecorder.start(brokers, [topics.badgeAwarded, topics.levelUp, topics.sessionCompletedDlq]);
    const events = sessionStream(`killed-${env.KAFKA_GROUP_ID.slice(-8)}`, 40, 2500);

    const processedSoFar = async () =>
      (
        await dataSource.query(`SELECT count(*)::int AS count FROM processed_events WHERE event_id = ANY($1)`, [
          events.map((event) => event.eventId),
        ])
      )[0].count as number;
    const sending = (async () => {
      for (let start = 0; start < events.length; start += 25) {
        await producer.send({
          topic: topics.sessionCompleted,
          acks: -1,
          messages: events.slice(start, start + 25).map((event) => ({ key: event.userId, value: JSON.stringify(event) })),
        });
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    const killedAt: number[] = [];
    for (let kill = 0; kill < 3; kill += 1) {
      // Kill while the worker is applying: once it has made progress since it (re)started.
      const before = await processedSoFar();
      await eventually('the worker to make progress', async () => ((await processedSoFar()) >= before + 60 ? true : undefined), 60_000);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 40)));
      await workers[workers.length - 1].kill('SIGKILL');
      killedAt.push(await processedSoFar());
      workers.push(await WorkerProcess.start(env));
    }
    await sending;

    expect(killedAt.every((count) => count < events.length)).toBe(true);
    const kills = killedAt.length;
    expect(kills).toBe(3);
    await assertInvariants({ dataSource, recorder, brokers, topics, groupIds: [env.KAFKA_GROUP_ID], rules, produced: events });
  });
});
