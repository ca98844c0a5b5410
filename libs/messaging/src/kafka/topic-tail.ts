import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { ConsumerRestarts } from './consumer-restarts';

/** The first delay of kafkajs's retries, and of a restart after a crash whose error names no retry time. */
const INITIAL_RETRY_MS = 300;
/** How long the broker may hold a fetch open: bounds how long a stop waits for the fetch in flight. */
const FETCH_MAX_WAIT_MS = 500;

export interface TailedMessage {
  readonly topic: string;
  readonly value: Buffer | null;
}

export interface TopicTailOptions {
  /** The group is this prefix and a random suffix: one group per start of the process. */
  readonly groupPrefix: string;
  readonly topics: readonly string[];
  readonly onMessage: (message: TailedMessage) => void;
}

/**
 * Follows topics from their end, for this process alone. Its consumer group is named for this start
 * of the process: every instance gets every message (a group shared by the instances would split
 * the partitions between them), and a new start, a new group with no offsets, begins at the topics'
 * end instead of replaying what earlier starts saw. Its offsets are committed all the same, so that
 * after a crash (a broker restart) the same group resumes where it stopped rather than skipping what
 * was published meanwhile; the broker forgets them once the group has been empty for its offsets
 * retention (`offsets.retention.minutes`, 7 days by default).
 */
export class TopicTail {
  readonly groupId: string;
  private readonly logger = new Logger(TopicTail.name);
  private readonly consumer: Consumer;
  private readonly restarts: ConsumerRestarts;
  private joined = false;
  private fetched = false;
  private stopped = false;

  constructor(
    kafka: Kafka,
    private readonly options: TopicTailOptions,
  ) {
    this.groupId = `${options.groupPrefix}-${randomUUID()}`;
    this.restarts = new ConsumerRestarts(INITIAL_RETRY_MS, (error) => this.crashedForGood(error));
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      retry: { initialRetryTime: INITIAL_RETRY_MS, maxRetryTime: 30_000, retries: 10, restartOnFailure: this.restarts.restartOnFailure },
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      this.fetched = false;
      if (this.restarts.isFatal()) {
        this.crashedForGood(payload.error);
      }
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    // A fetch answered after the join means the group's positions are set (at the end, for a new
    // group): from then on nothing published is missed.
    this.consumer.on(this.consumer.events.FETCH, () => {
      this.fetched = this.joined;
    });
  }

  /**
   * Connects, subscribes from the topics' end and runs; tailing starts once the group has joined. A
   * stop while it connects (the broker away) ends it there: it does not run on after the stop.
   */
  async start(): Promise<void> {
    await this.consumer.connect();
    if (!this.stopped) {
      await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: false });
    }
    if (this.stopped) {
      await this.consumer.disconnect();
      return;
    }
    await this.restarts.run(this.consumer, {
      eachMessage: async ({ topic, message }) => this.options.onMessage({ topic, value: message.value }),
    });
  }

  /** Whether what is published now reaches `onMessage`: the group joined and fetched since its last crash. */
  isLive(): boolean {
    return this.fetched;
  }

  /** Leaves the group and disconnects; a restart under way is waited for, one not begun is cancelled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.fetched = false;
    await this.restarts.disconnect(this.consumer);
  }

  private crashedForGood(error: Error): void {
    this.fetched = false;
    this.logger.error({ groupId: this.groupId, err: error }, `tailing ${this.options.topics.join(', ')} stopped for good: ${error.message}`);
  }
}
