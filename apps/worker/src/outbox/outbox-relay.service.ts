import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { EventPublisher, TopicAdmin, type OutgoingMessage } from '@app/messaging';
import { OutboxRepository, type OutboxEntry } from '@app/persistence';
import { WorkerMetrics } from '../observability/worker-metrics';

const MAX_BACKOFF_MS = 10_000;

/** An outbox row as it goes on the wire: its payload, keyed by user, with the event-id header. */
export function outboxMessage(entry: OutboxEntry): OutgoingMessage {
  return { topic: entry.topic, key: entry.key, value: JSON.stringify(entry.payload), headers: { 'event-id': entry.eventId } };
}

/**
 * Publishes committed outbox rows, oldest first, and marks them sent once the broker acknowledged.
 * It polls, and the consumer wakes it after each batch so that awards go out without waiting a poll.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeRequested = false;
  private interruptSleep: (() => void) | null = null;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publisher: EventPublisher,
    private readonly topics: TopicAdmin,
    private readonly config: AppConfig,
    private readonly metrics: WorkerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.wakeRequested = true;
    this.interruptSleep?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.wakeRequested = false;
      try {
        // Only rows whose topic exists: a row for a missing topic (a renamed TOPIC_* on one side) must
        // not hold up the others while the producer waits for the topic to appear.
        const topics = [...(await this.topics.existingTopics())];
        const started = process.hrtime.bigint();
        let publishing = 0n;
        const sent = await this.outbox.relayPending(this.config.outbox.batchSize, topics, async (entries) => {
          const publishStarted = process.hrtime.bigint();
          await this.publisher.publish(entries.map(outboxMessage));
          publishing = process.hrtime.bigint() - publishStarted;
        });
        if (sent > 0) {
          this.metrics.addStageSeconds('relay publish', Number(publishing) / 1e9);
          this.metrics.addStageSeconds('relay take and mark', Number(process.hrtime.bigint() - started - publishing) / 1e9);
        }
        failures = 0;
        if (sent === this.config.outbox.batchSize) {
          continue;
        }
        await this.sleep(this.config.outbox.pollIntervalMs);
      } catch (error) {
        failures += 1;
        const delay = Math.min(this.config.outbox.pollIntervalMs * 2 ** failures, MAX_BACKOFF_MS);
        this.logger.warn(`relaying the outbox failed (attempt ${failures}), retrying in ${delay} ms: ${(error as Error).message}`);
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested || !this.running) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptSleep = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = done;
    });
  }
}
