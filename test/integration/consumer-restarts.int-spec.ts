import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ConsumerRestarts } from '@app/messaging';
import { requiredEnv } from '../support/test-env';

/**
 * A consumer told to stop just as kafkajs decides to restart it after a crash (the CRASH event, whose
 * restart timer kafkajs arms right after it) stays stopped: the restart under way joins, and then the
 * consumer disconnects for good. A bare `disconnect` at that moment returns at once, and kafkajs
 * restarts the consumer a moment later; the second test shows that, so the first can tell.
 */
describe('ConsumerRestarts: a consumer stopped while kafkajs restarts it', () => {
  const kafka = new Kafka({ brokers: requiredEnv('TEST_KAFKA_BROKERS').split(','), clientId: 'consumer-restarts-test', logLevel: logLevel.NOTHING });
  const topic = `consumer-restarts.${randomUUID().slice(0, 8)}`;
  const leftRunning: Consumer[] = [];

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'one' }] });
    await producer.disconnect();
  });

  afterAll(async () => {
    await Promise.all(leftRunning.map((consumer) => consumer.disconnect()));
  });

  /**
   * A consumer whose first batch fails (kafkajs crashes it and restarts it 300 ms later), stopped by
   * `stop` from its CRASH listener; resolves with the consumer's GROUP_JOIN count 3 s after the stop resolved.
   */
  async function crashAndStop(stop: (consumer: Consumer, restarts: ConsumerRestarts) => Promise<void>) {
    const restarts = new ConsumerRestarts();
    const consumer = kafka.consumer({
      groupId: `consumer-restarts-${randomUUID()}`,
      retry: { retries: 0, initialRetryTime: 300, restartOnFailure: restarts.restartOnFailure },
    });
    restarts.watch(consumer);
    let joins = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => (joins += 1));
    let batches = 0;
    const stopped = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, () => {
        // The crash of the failed batch (not one of a group coordinator still starting, say).
        if (batches === 1) {
          stop(consumer, restarts).then(resolve, reject);
        }
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async () => {
        batches += 1;
        if (batches === 1) {
          throw Object.assign(new Error('the first batch fails'), { retriable: true });
        }
      },
    });
    await stopped;
    const joinsAtStop = joins;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    return { joinsAtStop, joinsLater: joins, consumer };
  }

  it('waits for the restart under way to join, then leaves for good', async () => {
    const { joinsAtStop, joinsLater } = await crashAndStop((consumer, restarts) => restarts.disconnect(consumer));
    // The first join, and the restart's, which the stop waited for.
    expect(joinsAtStop).toBe(2);
    expect(joinsLater).toBe(2);
  });

  it('(for contrast) a bare disconnect at that moment is followed by kafkajs restarting the consumer', async () => {
    const { joinsAtStop, joinsLater, consumer } = await crashAndStop((consumer) => consumer.disconnect());
    leftRunning.push(consumer);
    expect(joinsAtStop).toBe(1);
    expect(joinsLater).toBe(2);
  });
});
