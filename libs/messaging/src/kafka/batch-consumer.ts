import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { ConsumerRestarts } from './consumer-restarts';
import { KAFKA } from './kafka.provider';

/** How often a join that has not completed yet is reported. */
const JOIN_PROGRESS_INTERVAL_MS = 5_000;
/**
 * How long the broker may hold a fetch open on an idle partition. kafkajs stops only once its fetch in
 * flight returns, so this bounds how long a stop waits before it can commit and leave (kafkajs's
 * default of 5 s made every SIGTERM take 5 s); a loaded fetch returns as soon as it has data anyway.
 */
const FETCH_MAX_WAIT_MS = 500;
/** The first delay of kafkajs's retries, and of a restart after a crash whose error names no retry time (kafkajs's default). */
const INITIAL_RETRY_MS = 300;

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
  /**
   * Told, as each batch arrives, how long its partition waited for it since its batch before
   * (`fetch`): idle time included, as kafkajs hands over no empty batches, and so is kafkajs's
   * commit of the offsets, which it makes after eachBatch returns.
   */
  readonly onStage?: (stage: 'fetch', seconds: number) => void;
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
  private readonly restarts: ConsumerRestarts;
  private state: 'idle' | 'running' | 'crashed' | 'stopped' = 'idle';
  /** When each partition's last batch was done, to tell how long its next one took to come. */
  private readonly batchDoneAt = new Map<number, bigint>();

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.restarts = new ConsumerRestarts(INITIAL_RETRY_MS, (error) => this.crashedForGood(error));
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      heartbeatInterval: Math.min(3_000, Math.floor(options.sessionTimeoutMs / 3)),
      retry: { initialRetryTime: INITIAL_RETRY_MS, maxRetryTime: 30_000, retries: 10, restartOnFailure: this.restarts.restartOnFailure },
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (this.restarts.isFatal()) {
        this.crashedForGood(payload.error);
      }
    });
    const group = { topic: options.topic, groupId: options.groupId };
    // Every (re)join says which partitions this member holds and how long the join took: a join that
    // waited for a dead member's session to expire shows here as a duration near the session timeout.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      // A partition held elsewhere meanwhile did not wait for a fetch all that time.
      this.batchDoneAt.clear();
      this.logger.log(
        { ...group, memberId: payload.memberId, partitions: payload.memberAssignment[options.topic] ?? [], joinMs: payload.duration },
        `joined group ${options.groupId} in ${payload.duration} ms, holding partitions [${(payload.memberAssignment[options.topic] ?? []).join(', ')}]`,
      );
    });
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.batchDoneAt.clear();
      this.logger.log(group, `group ${options.groupId} is rebalancing; re-joining`);
    });
  }

  /**
   * Connects, subscribes and joins the group; resolves once this member holds its partitions. Each
   * step is logged as it starts, and a join that waits is reported every few seconds, so that a
   * start-up that hangs (for instance behind a member that died without leaving) says so.
   */
  async start(): Promise<void> {
    const group = { topic: this.options.topic, groupId: this.options.groupId };
    this.logger.log(group, 'connecting to Kafka');
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    this.logger.log(
      { ...group, sessionTimeoutMs: this.options.sessionTimeoutMs },
      `joining group ${this.options.groupId}; a member that died without leaving holds its partitions for up to ${this.options.sessionTimeoutMs} ms`,
    );
    const joining = Date.now();
    const waiting = setInterval(() => {
      this.logger.warn(
        { ...group, waitedMs: Date.now() - joining },
        `still joining group ${this.options.groupId} after ${Math.round((Date.now() - joining) / 1000)} s (waiting for the group's other members to rejoin or expire)`,
      );
    }, JOIN_PROGRESS_INTERVAL_MS);
    try {
      await this.restarts.run(this.consumer, {
        autoCommit: true,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.consumeBatch(payload),
      });
    } finally {
      clearInterval(waiting);
    }
    // A first join that crashed for good has said so already.
    if (this.state === 'idle') {
      this.state = 'running';
    }
  }

  /** For readiness: running, and not crashed beyond the restarts after retriable crashes. */
  isRunning(): boolean {
    return this.state === 'running';
  }

  /** Stops fetching, lets the in-flight batches finish, commits what was handled, and leaves the group. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    const stopping = Date.now();
    await this.restarts.disconnect(this.consumer);
    this.logger.log(
      { topic: this.options.topic, groupId: this.options.groupId, stopMs: Date.now() - stopping },
      `left group ${this.options.groupId} after committing what was handled (${Date.now() - stopping} ms)`,
    );
  }

  private crashedForGood(error: Error): void {
    this.state = 'crashed';
    this.logger.fatal({ topic: this.options.topic, groupId: this.options.groupId, err: error }, `consumer crashed and will not restart: ${error.message}`);
    this.options.onFatalCrash(error);
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const arrived = process.hrtime.bigint();
    const doneBefore = this.batchDoneAt.get(batch.partition);
    if (doneBefore !== undefined) {
      this.options.onStage?.('fetch', Number(arrived - doneBefore) / 1e9);
    }
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
      try {
        await this.options.handle(run, context);
      } catch (error) {
        if (!(error instanceof ConsumerStoppedError)) {
          throw error;
        }
        // Abandoned while stopping or after losing the partition: the runs applied before it are
        // committed as the batch ends (autoCommit), and this one is redelivered to the partition's next holder.
        this.logger.warn(
          { topic: batch.topic, partition: batch.partition, firstOffset: run[0].offset, lastOffset: run[run.length - 1].offset },
          `abandoned a run of ${run.length} message(s) at offsets ${run[0].offset}..${run[run.length - 1].offset}: the consumer stopped; it will be redelivered`,
        );
        break;
      }
      resolveOffset(run[run.length - 1].offset);
      handled += run.length;
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    this.batchDoneAt.set(batch.partition, process.hrtime.bigint());
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
