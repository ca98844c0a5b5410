import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ConsumerRestarts, createTopicsWithLeaders } from '@app/messaging';
import { requiredEnv } from '../support/test-env';

const RESTART_DELAY_MS = 300;

/**
 * A consumer that crashed on a retriable error is restarted, and a stop while it is, whether the
 * restart has begun or not, leaves it stopped: after the stop resolves the consumer sends no request
 * to the broker. A bare `disconnect` at the same moment stops nothing; the last test shows that, so
 * that the others can tell.
 */
describe('ConsumerRestarts: a consumer stopped while it is being restarted', () => {
  const kafka = new Kafka({ brokers: requiredEnv('TEST_KAFKA_BROKERS').split(','), clientId: 'consumer-restarts-test', logLevel: logLevel.NOTHING });
  const topic = `consumer-restarts.${randomUUID().slice(0, 8)}`;
  const leftRunning: Consumer[] = [];

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);
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
   * A consumer whose first batch fails on a retriable error, so that it crashes and is restarted
   * 300 ms later; `stop` is called when `when` says, and the result counts what the consumer did
   * after the stop resolved, over the next 3 s.
   */
  async function crashAndStop(
    when: 'while kafkajs stops the crashed consumer' | 'at the crash' | 'at the restart’s first request',
    stop: (consumer: Consumer, restarts: ConsumerRestarts) => Promise<void>,
  ) {
    const restartFailures: Error[] = [];
    const restarts = new ConsumerRestarts(RESTART_DELAY_MS, (error) => restartFailures.push(error));
    const consumer = kafka.consumer({
      groupId: `consumer-restarts-${randomUUID()}`,
      retry: { retries: 0, initialRetryTime: RESTART_DELAY_MS, restartOnFailure: restarts.restartOnFailure },
    });
    let batches = 0;
    let crashed = false;
    let requests = 0;
    let joins = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => (joins += 1));
    let stopCalled = false;
    const stopped = new Promise<void>((resolve, reject) => {
      const stopNow = () => {
        if (!stopCalled) {
          stopCalled = true;
          stop(consumer, restarts).then(resolve, reject);
        }
      };
      // kafkajs stops a crashed consumer (STOP) before it asks whether to restart it and says CRASH.
      consumer.on(consumer.events.STOP, () => {
        if (batches === 1 && when === 'while kafkajs stops the crashed consumer') {
          stopNow();
        }
      });
      consumer.on(consumer.events.CRASH, () => {
        // The crash of the failed batch (not one of a group coordinator still starting, say).
        crashed ||= batches === 1;
        if (crashed && when === 'at the crash') {
          stopNow();
        }
      });
      consumer.on(consumer.events.REQUEST, () => {
        requests += 1;
        if (crashed && when === 'at the restart’s first request') {
          crashed = false;
          stopNow();
        }
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await restarts.run(consumer, {
      eachBatch: async () => {
        batches += 1;
        if (batches === 1) {
          throw Object.assign(new Error('the first batch fails'), { retriable: true });
        }
      },
    });
    await stopped;
    const atStop = { requests, joins, batches };
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(restartFailures).toEqual([]);
    return { consumer, atStop, later: { requests, joins, batches } };
  }

  it('schedules no restart when the stop began while kafkajs was still stopping the crashed consumer', async () => {
    const { atStop, later } = await crashAndStop('while kafkajs stops the crashed consumer', (consumer, restarts) => restarts.disconnect(consumer));
    expect(atStop.joins).toBe(1);
    expect(later).toEqual(atStop);
  });

  it('cancels a restart not begun yet', async () => {
    const { atStop, later } = await crashAndStop('at the crash', (consumer, restarts) => restarts.disconnect(consumer));
    expect(atStop.joins).toBe(1);
    expect(later).toEqual(atStop);
  });

  it('lets a restart under way start its consumer, then stops it', async () => {
    const { atStop, later } = await crashAndStop('at the restart’s first request', (consumer, restarts) => restarts.disconnect(consumer));
    // The restart joined again before the stop stopped it; nothing after.
    expect(atStop.joins).toBe(2);
    expect(later).toEqual(atStop);
  });

  it('(for contrast) a bare disconnect at the crash is followed by the restart, which runs on', async () => {
    const { consumer, atStop, later } = await crashAndStop('at the crash', (bare) => bare.disconnect());
    leftRunning.push(consumer);
    expect(atStop.joins).toBe(1);
    expect(later.joins).toBe(2);
    expect(later.requests).toBeGreaterThan(atStop.requests);
  });
});
