import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { KAFKA } from './kafka.provider';

export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string | Buffer>>;
}

/** What a handler may use while it works on one message, for instance while it waits out a database restart. */
export interface HandlingContext {
  /** False once the consumer is stopping or lost the partition: give up and let the message be redelivered. */
  isActive(): boolean;
  heartbeat(): Promise<void>;
}

/** Thrown by a handler that gave up because the consumer stopped; the message's offset is not committed. */
export class ConsumerStoppedError extends Error {
  constructor() {
    super('consumer stopped before the message was handled');
    this.name = 'ConsumerStoppedError';
  }
}

export interface BatchConsumerOptions {
  readonly groupId: string;
  readonly topic: string;
  readonly partitionsConsumedConcurrently: number;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /**
   * Called with runs of consecutive messages of one partition, in order, at most `maxMessagesPerCall`
   * at a time; when it resolves, every message of the run is done and their offsets may commit.
   */
  readonly handle: (messages: readonly InboundMessage[], context: HandlingContext) => Promise<void>;
  readonly maxMessagesPerCall: number;
  /** Called after a batch in which at least one message was handled. */
  readonly afterBatch?: () => void;
  /** Called when the consumer crashed and kafkajs will not restart it. */
  readonly onFatalCrash: (error: Error) => void;
}

function normalizeHeaders(headers: IHeaders | undefined): Record<string, string | Buffer> {
  const result: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) {
      result[name] = Array.isArray(value) ? value[value.length - 1] : value;
    }
  }
  return result;
}

/**
 * Consumes one topic in a consumer group with kafkajs's eachBatch: messages of a partition one after
 * another, partitions side by side. An offset is resolved only after its message was handled, and
 * committed after that, so a crash at any point redelivers rather than loses.
 */
export class BatchConsumer {
  private readonly logger = new Logger(BatchConsumer.name);
  private readonly consumer: Consumer;
  private state: 'idle' | 'running' | 'crashed' | 'stopped' = 'idle';

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(options.sessionTimeoutMs / 3)),
      retry: { initialRetryTime: 300, maxRetryTime: 30_000, retries: 10 },
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) {
        this.state = 'crashed';
        this.logger.fatal(`consumer crashed and will not restart: ${payload.error.message}`);
        options.onFatalCrash(payload.error);
      }
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
    this.state = 'running';
  }

  /** For readiness: running, and not crashed beyond kafkajs's own restarts. */
  isRunning(): boolean {
    return this.state === 'running';
  }

  /** Stops fetching, lets the in-flight batches finish, commits what was handled, and leaves the group. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    await this.consumer.disconnect();
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const context: HandlingContext = { isActive: () => isRunning() && !isStale(), heartbeat };
    const messages: InboundMessage[] = batch.messages.map((message) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value ?? null,
      headers: normalizeHeaders(message.headers),
    }));
    let handled = 0;
    for (let start = 0; start < messages.length; start += this.options.maxMessagesPerCall) {
      if (!context.isActive()) {
        break;
      }
      const run = messages.slice(start, start + this.options.maxMessagesPerCall);
      await this.options.handle(run, context);
      resolveOffset(run[run.length - 1].offset);
      handled += run.length;
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    if (handled > 0) {
      this.options.afterBatch?.();
    }
  }
}

/** Makes consumers on the process's Kafka client, so that apps never handle kafkajs themselves. */
@Injectable()
export class BatchConsumerFactory {
  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  create(options: BatchConsumerOptions): BatchConsumer {
    return new BatchConsumer(this.kafka, options);
  }
}
