import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { AppConfig } from '@app/config';
import { KAFKA } from './kafka.provider';

const TOPIC_LIST_TTL_MS = 10_000;
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
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.config.kafka.topicPartitions,
            // A dead letter is the original message plus headers: give the DLQ room for the largest
            // message the source topic accepts, so that no message can be too big to dead-letter.
            ...(topic === this.config.topics.sessionCompletedDlq ? { configEntries: [{ name: 'max.message.bytes', value: DLQ_MAX_MESSAGE_BYTES }] } : {}),
          })),
        });
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
