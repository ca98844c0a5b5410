import { Controller, Module, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { loadAppConfig } from '@app/config';
import { BatchConsumerFactory, BatchConsumerServer, ConsumerStoppedError, createKafka, PassThroughRpcErrors, TopicAdmin, type ConsumedRunContext, type InboundMessage } from '@app/messaging';
import { eventually } from '@app/testing';
import { workerTestEnv } from '../support/test-env';

const PATTERN = 'test.runs';

interface SeenRun {
  readonly topic: string;
  readonly partition: number;
  readonly offsets: { readonly first: string; readonly last: string };
  readonly values: string[];
}

/** What the handler saw, and what it is told to do with the next run. */
const seen: SeenRun[] = [];
let failNext: Error | null = null;
/** Holds the next run until the consumer stops, then gives it up, as the worker's handler does. */
let abandonNextAtStop = false;

@Controller()
class RunRecorder {
  @EventPattern<string>(PATTERN)
  async record(@Payload() messages: readonly InboundMessage[], @Ctx() context: ConsumedRunContext): Promise<void> {
    await context.heartbeat();
    seen.push({ topic: context.getTopic(), partition: context.getPartition(), offsets: context.getOffsets(), values: messages.map((message) => message.value!.toString()) });
    if (failNext !== null) {
      const failure = failNext;
      failNext = null;
      throw failure;
    }
    if (abandonNextAtStop) {
      abandonNextAtStop = false;
      while (context.isActive()) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new ConsumerStoppedError();
    }
  }
}

@Module({ controllers: [RunRecorder] })
class RecorderModule {}

/** Every line the transport and its consumer log, as text. */
const logged: string[] = [];
const capture: LoggerService = {
  log: (...parts: unknown[]) => logged.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ')),
  warn: (...parts: unknown[]) => logged.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ')),
  error: (...parts: unknown[]) => logged.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ')),
};

/**
 * The worker's transport on the real broker, with a handler of the test's own: runs of a partition
 * with their context, offsets committed only after the handler resolved, a handler's error reaching
 * the consumer as thrown, and the group left on close.
 */
describe('BatchConsumerServer, the worker’s Nest microservice transport', () => {
  const env = workerTestEnv();
  const config = loadAppConfig({ ...env, KAFKA_TOPIC_PARTITIONS: '1' }, 'worker');
  const topic = config.topics.sessionCompleted;
  const kafka = createKafka(config.kafka.brokers, config.kafka.clientId);
  const admin = new Kafka({ brokers: [...config.kafka.brokers], clientId: 'transport-test', logLevel: logLevel.NOTHING }).admin();
  const crashes: Error[] = [];
  let producer: Producer;
  let app: INestMicroservice;
  let server: BatchConsumerServer;

  const send = (...values: string[]) => producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: 'one-key', value })) });
  const committed = async () => {
    const [offsets] = await admin.fetchOffsets({ groupId: config.kafka.groupId, topics: [topic] });
    return offsets.partitions.map(({ offset }) => Number(offset));
  };

  /** The transport in a microservice of its own, listening: as createWorker starts the worker's. */
  const startServer = async () => {
    server = new BatchConsumerServer(new BatchConsumerFactory(kafka), new TopicAdmin(kafka, config), {
      pattern: PATTERN,
      groupId: config.kafka.groupId,
      topic,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      maxMessagesPerCall: 3,
      onFatalCrash: (error) => crashes.push(error),
    });
    app = await NestFactory.createMicroservice(RecorderModule, { strategy: server, logger: capture });
    app.useGlobalFilters(new PassThroughRpcErrors());
    await app.listen();
  };

  beforeAll(async () => {
    await admin.connect();
    await startServer();
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
    await admin.disconnect();
  });

  it('hands the handler runs of one partition, with where they come from, and commits them once it resolved', async () => {
    await send('a', 'b', 'c', 'd', 'e');
    await eventually('the five messages to be handled', async () => (seen.flatMap((run) => run.values).length === 5 ? true : undefined));
    expect(seen.map((run) => run.values.length).every((length) => length <= 3)).toBe(true);
    expect(seen.flatMap((run) => run.values)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(seen[0]).toMatchObject({ topic, partition: 0, offsets: { first: '0', last: String(seen[0].values.length - 1) } });
    await eventually('the offsets to commit', async () => ((await committed())[0] === 5 ? true : undefined));
    expect(server.isRunning()).toBe(true);
  });

  it('leaves a run whose handler failed uncommitted and has it again: the error reaches the consumer as thrown', async () => {
    seen.length = 0;
    failNext = new Error('a handler failure');
    await send('f', 'g');
    await eventually('the failed run to come again', async () => (seen.filter((run) => run.values.includes('f')).length === 2 ? true : undefined), 60_000);
    expect(seen.map((run) => run.values)).toEqual([
      ['f', 'g'],
      ['f', 'g'],
    ]);
    await eventually('the offsets to commit', async () => ((await committed())[0] === 7 ? true : undefined));
    expect(crashes).toEqual([]);
    // Nest's default RPC filter would have logged it and handed on a generic "Internal server error".
    expect(logged.filter((line) => line.includes('Internal server error'))).toEqual([]);
  });

  it('gives up a run in hand at a stop without committing it, leaves the group, and the next start gets it again', async () => {
    seen.length = 0;
    abandonNextAtStop = true;
    await send('h');
    await eventually('the run to be in hand', async () => (seen.length === 1 ? true : undefined));
    await app.close();
    expect([server.isRunning(), await committed()]).toEqual([false, [7]]);
    // Given up as a stop, not failed: the consumer knew the error for what it was.
    expect(logged.filter((line) => line.includes('abandoned a run'))).toEqual([expect.stringContaining('abandoned a run of 1 message(s)')]);
    await startServer();
    await eventually('the given-up run to come again', async () => (seen.length === 2 ? true : undefined));
    expect(seen.map((run) => run.values)).toEqual([['h'], ['h']]);
    await eventually('the offsets to commit', async () => ((await committed())[0] === 8 ? true : undefined));
    expect(crashes).toEqual([]);
  });
});
