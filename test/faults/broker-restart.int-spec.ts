import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentProgress, startLocalKafka, type RunningKafka } from '@app/dev-stack';
import { EngineHarness } from '../support/engine-harness';
import { eventually, sessionStream } from '@app/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { ApiHarness, tokenFor } from '../support/api-harness';
import { EventStreamClient } from '../support/event-stream-client';
import { assertInvariants } from './support/invariants';


describe('scenario 4: the Kafka broker stopped and restarted during a stream', () => {
  // This scenario owns its broker, a real local KRaft one, so that it can stop and restart it.
  const dataDir = mkdtempSync(join(tmpdir(), 'gamification-restart-'));
  let broker: RunningKafka;
  let engine: EngineHarness;

  beforeAll(async () => {
    broker = await startLocalKafka({ dataDir, progress: silentProgress });
    engine = await EngineHarness.start({ KAFKA_BROKERS: broker.brokers.join(',') });
  });

  afterAll(async () => {
    await engine?.stop();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reconnects the consumer, the relay and the producer, and catches up without losing or doubling anything', async () => {
    const events = sessionStream(`restart-${engine.groupId.slice(-8)}`, 15, 400);
    for (const event of events.slice(0, 200)) {
      await engine.send(event.userId, event);
    }
    await broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    broker = await startLocalKafka({ dataDir, progress: silentProgress, ports: broker.ports });
    for (const event of events.slice(200)) {
      await engine.send(event.userId, event);
    }

    await assertInvariants({ ...engine.invariantInputs(), produced: events });
  });

  /** An in-process api on this scenario's broker with topics of its own, listening; resolves once its streams are fed. */
  const streamingApi = async (suffix: string) => {
    const api = await ApiHarness.start({ KAFKA_BROKERS: broker.brokers.join(','), KAFKA_CLIENT_ID: `stream-${suffix}`, TOPIC_LEVEL_UP: `level.up.${suffix}`, TOPIC_BADGE_AWARDED: `badge.awarded.${suffix}` });
    await api.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    const isLive = async () => ((await (await fetch(`${base}/health/ready`)).json()) as { stream: string }).stream === 'up';
    await eventually('the api to tail the topics', async () => ((await isLive()) ? true : undefined));
    return { api, base, isLive };
  };

  /**
   * A LevelUp of the contract for the user, sent to a partition of the test's choosing, so that what is
   * published while the api's consumer is away can go to a partition it has never read from; its eventId.
   */
  const sendLevelUp = async (producer: Producer, suffix: string, userId: string, newLevel: number, partition: number) => {
    const event = { eventId: randomUUID(), type: 'level.up', userId, previousLevel: newLevel - 1, newLevel, totalXp: newLevel * 100, occurredAt: new Date().toISOString(), sourceEventId: randomUUID() };
    await producer.send({ topic: `level.up.${suffix}`, messages: [{ key: userId, value: JSON.stringify(event), partition }] });
    return event.eventId;
  };

  it("keeps a live stream open through the restart, and resumes it with what was published while the api's consumer was away", async () => {
    const suffix = randomUUID().slice(0, 8);
    const { api, base, isLive } = await streamingApi(suffix);
    // A producer for each event: the broker restarts between them.
    const produce = async (userId: string, newLevel: number, partition: number) => {
      const producer = new Kafka({ clientId: `restart-stream-${suffix}`, brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      try {
        return await sendLevelUp(producer, suffix, userId, newLevel, partition);
      } finally {
        await producer.disconnect();
      }
    };
    let client: EventStreamClient | undefined;
    try {
      const userId = `restart-${suffix}`;
      client = await EventStreamClient.accepted(base, tokenFor(userId));
      const before = await produce(userId, 2, 0);
      await client.waitForEvents(1);

      await broker.stop();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      broker = await startLocalKafka({ dataDir, progress: silentProgress, ports: broker.ports });
      const during = await produce(userId, 3, 1);
      const after = await eventually('the api to tail the topics again', async () => ((await isLive()) ? produce(userId, 4, 2) : undefined), 90_000);

      expect((await client.waitForEvents(3, 60_000)).map((event) => event.id).sort()).toEqual([before, during, after].sort());
      expect(client.isEnded).toBe(false);
    } finally {
      await client?.close();
      await api.stop();
    }
  });

  it("resumes a live stream after the api's consumer crashed, with what was published meanwhile on a partition it had never read from", async () => {
    const suffix = randomUUID().slice(0, 8);
    const { api, base, isLive } = await streamingApi(suffix);
    const producer = new Kafka({ clientId: `crash-stream-${suffix}`, brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const userId = `crash-${suffix}`;
    // The fault: the api's consumer's next fetch fails as if no broker answered, which kafkajs does not
    // retry (runner.js): the consumer crashes, and the api runs it again. Meanwhile an event goes to a
    // partition the consumer has never read from, where only the tail's own positions say where to go on.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as { prototype: { fetch: (...args: unknown[]) => Promise<unknown>; groupId: string } };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { KafkaJSNoBrokerAvailableError } = require('kafkajs/src/errors') as { KafkaJSNoBrokerAvailableError: new () => Error };
    const originalFetch = ConsumerGroup.prototype.fetch;
    let armed = false;
    let crashed: Promise<string> | null = null;
    const spy = jest.spyOn(ConsumerGroup.prototype, 'fetch').mockImplementation(function (this: { groupId: string }, ...args: unknown[]) {
      if (armed && crashed === null && this.groupId.startsWith(`stream-${suffix}-api-stream-`)) {
        crashed = sendLevelUp(producer, suffix, userId, 3, 1);
        return crashed.then(() => {
          throw new KafkaJSNoBrokerAvailableError();
        });
      }
      return originalFetch.apply(this, args);
    });
    let client: EventStreamClient | undefined;
    try {
      client = await EventStreamClient.accepted(base, tokenFor(userId));
      const before = await sendLevelUp(producer, suffix, userId, 2, 0);
      await client.waitForEvents(1);

      armed = true;
      const during = await eventually('the consumer to crash', async () => crashed ?? undefined);
      const after = await eventually('the api to tail the topics again', async () => ((await isLive()) ? sendLevelUp(producer, suffix, userId, 4, 2) : undefined), 30_000);

      expect((await client.waitForEvents(3, 30_000)).map((event) => event.id).sort()).toEqual([before, during, after].sort());
      expect(client.isEnded).toBe(false);
    } finally {
      spy.mockRestore();
      await client?.close();
      await api.stop();
      await producer.disconnect();
    }
  });
});
