import { Inject, Injectable, Logger } from '@nestjs/common';
import { KafkaJSError, type Admin, type ITopicConfig, type Kafka } from 'kafkajs';
import { AppConfig } from '@app/config';
import { KAFKA } from './kafka.provider';

const TOPIC_LIST_TTL_MS = 10_000;
const LEADER_POLL_MS = 100;
const LEADER_WAIT_MS = 30_000;

/**
 * Creates the topics that are missing and waits until each of their partitions has a leader.
 * kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a KRaft broker answers
 * UNKNOWN_TOPIC_OR_PARTITION for a moment after it created a topic, which kafkajs then throws.
 */
export async function createTopicsWithLeaders(admin: Admin, topics: readonly ITopicConfig[]): Promise<void> {
  await admin.createTopics({ topics: [...topics], waitForLeaders: false });
  const names = topics.map((topic) => topic.topic);
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: names });
      if (metadata.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0))) {
        return;
      }
    } catch (error) {
      if (!(error instanceof KafkaJSError && error.retriable)) {
        throw error;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`topics ${names.join(', ')} have no leader after ${LEADER_WAIT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
  }
}
const DLQ_MAX_MESSAGE_BYTES = String(4 * 1024 * 1024);

/** Creates the engine's topics when they are missing, so a fresh broker works without manual set-up. */
@Injectable()
export class TopicAdmin {
  private readonly logger = new Logger(TopicAdmin.name);
  private known: { topics: ReadonlySet<string>; listedAt: number } | null = null;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: AppConfig,
  ) {}

  async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = Object.values(this.config.topics).filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await createTopicsWithLeaders(
          admin,
          missing.map((topic) => ({
            topic,
            numPartitions: this.config.kafka.topicPartitions,
            // A dead letter is the original message plus headers: give the DLQ room for the largest
            // message the source topic accepts, so that no message can be too big to dead-letter.
            ...(topic === this.config.topics.sessionCompletedDlq ? { configEntries: [{ name: 'max.message.bytes', value: DLQ_MAX_MESSAGE_BYTES }] } : {}),
          })),
        );
        this.logger.log(`created topics ${missing.join(', ')}`);
        this.known = null;
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** The broker's topics, listed at most every 10 s. */
  async existingTopics(): Promise<ReadonlySet<string>> {
    if (this.known === null || Date.now() - this.known.listedAt > TOPIC_LIST_TTL_MS) {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        this.known = { topics: new Set(await admin.listTopics()), listedAt: Date.now() };
      } finally {
        await admin.disconnect();
      }
    }
    return this.known.topics;
  }
}
