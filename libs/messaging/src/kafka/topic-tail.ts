import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { ConsumerRestarts } from './consumer-restarts';

/** The first delay of kafkajs's retries, and of a restart after a crash whose error names no retry time. */
const INITIAL_RETRY_MS = 300;
/** How long the broker may hold a fetch open: bounds how long a stop waits for the fetch in flight. */
const FETCH_MAX_WAIT_MS = 500;
/**
 * How long a stop waits for a start under way. A start against a reachable broker ends within it
 * (cut off by the stop, or joined); one against an unreachable broker would retry for minutes, and a
 * stopping process does not wait for that.
 */
const START_WAIT_MS = 5_000;

export interface TailedMessage {
  readonly topic: string;
  readonly value: Buffer | null;
}

export interface TopicTailOptions {
  /** The group is this prefix and a random suffix: one group per start of the process. */
  readonly groupPrefix: string;
  readonly topics: readonly string[];
  readonly onMessage: (message: TailedMessage) => void;
  /** The consumer crashed on an error that no restart follows: this tail is over. */
  readonly onFatalCrash: (error: Error) => void;
}

/**
 * Follows topics from their end, for this process alone. Its consumer group is named for this start
 * of the process: every instance gets every message (a group shared by the instances would split
 * the partitions between them), and a new start, a new group, begins at the topics' end instead of
 * replaying what earlier starts saw. Where it stands is kept here, not in the group's committed
 * offsets (the group commits nothing, and the broker forgets it as soon as it is empty): the end of
 * every partition when it started, and after each message the offset that follows it. Every join of
 * the group, the first and those after a crash (a broker restart), moves each partition there, so
 * that a restarted consumer resumes exactly where it stopped, on partitions it never read from too,
 * and nothing published since the start is skipped.
 */
export class TopicTail {
  readonly groupId: string;
  private readonly logger = new Logger(TopicTail.name);
  private readonly consumer: Consumer;
  private readonly restarts: ConsumerRestarts;
  private joined = false;
  private fetched = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  private admin: Admin | null = null;
  /** For each `topic:partition`, the offset to read next: the partition's end at the start, then past each message. */
  private readonly positions = new Map<string, { readonly topic: string; readonly partition: number; offset: string }>();

  constructor(
    private readonly kafka: Kafka,
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
      if (this.restarts.isFatal() && !this.stopped) {
        this.crashedForGood(payload.error);
      }
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      for (const { topic, partition, offset } of this.positions.values()) {
        this.consumer.seek({ topic, partition, offset });
      }
    });
    // A fetch answered after the join means the group holds its partitions at their positions:
    // from then on nothing published is missed.
    this.consumer.on(this.consumer.events.FETCH, () => {
      this.fetched = this.joined;
    });
  }

  /**
   * Notes the topics' ends, connects, subscribes and runs; tailing starts once the group has joined.
   * A stop while it starts (the broker away) ends it there.
   */
  start(): Promise<void> {
    this.starting = this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    await this.startAtTheEnd();
    if (this.stopped) {
      return;
    }
    await this.consumer.connect();
    if (!this.stopped) {
      // Every partition known now is moved to its position at each join; from the beginning applies
      // only to partitions added later, all of whose messages came after the start.
      await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    }
    if (this.stopped) {
      await this.consumer.disconnect();
      return;
    }
    this.running = this.restarts.run(this.consumer, {
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        this.options.onMessage({ topic, value: message.value });
        this.positions.set(`${topic}:${partition}`, { topic, partition, offset: (BigInt(message.offset) + 1n).toString() });
      },
    });
    await this.running;
  }

  /** Whether what is published now reaches `onMessage`: the group joined and fetched since its last crash. */
  isLive(): boolean {
    return this.fetched;
  }

  /**
   * Leaves the group and disconnects. A start under way is cut off (its admin client disconnected)
   * and waited for, up to START_WAIT_MS; a restart under way is waited for and one not begun
   * cancelled: with a reachable broker, nothing of this tail's keeps running after it.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.fetched = false;
    await this.admin?.disconnect().catch(() => undefined);
    if (this.starting !== null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.starting.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, START_WAIT_MS)))]);
      clearTimeout(timer);
    }
    await this.restarts.disconnect(this.consumer);
  }

  private async startAtTheEnd(): Promise<void> {
    const admin = this.kafka.admin();
    this.admin = admin;
    await admin.connect();
    try {
      for (const topic of this.options.topics) {
        for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
          // A start tried again keeps what an earlier try noted.
          if (!this.positions.has(`${topic}:${partition}`)) {
            this.positions.set(`${topic}:${partition}`, { topic, partition, offset: high });
          }
        }
      }
    } finally {
      this.admin = null;
      await admin.disconnect();
    }
  }

  private crashedForGood(error: Error): void {
    this.fetched = false;
    this.logger.error({ groupId: this.groupId, err: error }, `tailing ${this.options.topics.join(', ')} stopped for good: ${error.message}`);
    this.options.onFatalCrash(error);
  }
}
