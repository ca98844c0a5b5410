import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ConsumerRestarts } from '@app/messaging';

/** kafkajs's default first retry delay: how soon a crashed recorder restarts when its error names no retry time. */
const RESTART_FALLBACK_DELAY_MS = 300;

export interface RecordedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Reads topics from the beginning in a group of its own and keeps every message, for assertions. */
export class TopicRecorder {
  private readonly messages: RecordedMessage[] = [];
  private readonly consumer: Consumer;
  // A recorder's consumer crashes and restarts when a topic it reads is not created yet, or in a rebalance.
  private readonly restarts = new ConsumerRestarts(RESTART_FALLBACK_DELAY_MS, (error) => (this.failure = error));
  // A restart that failed for good: the recorder records nothing more, and says why when waited on.
  private failure: Error | null = null;

  private constructor(kafka: Kafka) {
    this.consumer = kafka.consumer({ groupId: `recorder-${randomUUID()}`, retry: { restartOnFailure: this.restarts.restartOnFailure } });
  }

  static async start(brokers: readonly string[], topics: readonly string[]): Promise<TopicRecorder> {
    const kafka = new Kafka({ brokers: [...brokers], clientId: 'topic-recorder', logLevel: logLevel.NOTHING });
    const recorder = new TopicRecorder(kafka);
    await recorder.consumer.connect();
    await recorder.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await recorder.restarts.run(recorder.consumer, {
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          headers[name] = String(Array.isArray(value) ? value[value.length - 1] : value);
        }
        recorder.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value,
          headers,
        });
      },
    });
    return recorder;
  }

  received(topic: string, key?: string): RecordedMessage[] {
    return this.messages.filter((message) => message.topic === topic && (key === undefined || message.key === key));
  }

  /** JSON values of the messages on `topic` for `key`. */
  values<T = Record<string, unknown>>(topic: string, key: string): T[] {
    return this.received(topic, key).map((message) => JSON.parse(message.value?.toString() ?? 'null') as T);
  }

  async waitFor(topic: string, key: string, count: number, timeoutMs = 30_000): Promise<RecordedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received(topic, key).length < count) {
      if (Date.now() > deadline) {
        const down = this.failure === null ? '' : ` (the recorder's consumer could not restart: ${this.failure.message})`;
        throw new Error(`expected ${count} message(s) on ${topic} for key ${key}, got ${this.received(topic, key).length}${down}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.received(topic, key);
  }

  async stop(): Promise<void> {
    await this.restarts.disconnect(this.consumer);
  }
}
