import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface RecordedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

// How long `stop` waits for a restarted consumer to join its group before it disconnects all the same.
const RESTART_JOIN_WAIT_MS = 30_000;

/** Reads topics from the beginning in a group of its own and keeps every message, for assertions. */
export class TopicRecorder {
  private readonly messages: RecordedMessage[] = [];
  private readonly consumer: Consumer;
  private stopping = false;
  // A restart after a crash (a topic not created yet, a rebalance), until the consumer has joined again.
  private restart: Promise<void> | null = null;

  /**
   * kafkajs restarts a crashed consumer a moment later, and a `disconnect` while that restart joins
   * its group finds nothing running and returns: the restarted consumer outlived the test, and its
   * requests after Jest had torn the test file's modules down failed the whole run. So a crash after
   * `stop` began restarts nothing, and `stop` waits for a restart under way to join before it leaves.
   */
  private constructor(kafka: Kafka) {
    this.consumer = kafka.consumer({ groupId: `recorder-${randomUUID()}`, retry: { restartOnFailure: async () => !this.stopping } });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) {
        this.restart ??= new Promise((resolve) => {
          const joined = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
            joined();
            this.restart = null;
            resolve();
          });
        });
      }
    });
  }

  static async start(brokers: readonly string[], topics: readonly string[]): Promise<TopicRecorder> {
    const kafka = new Kafka({ brokers: [...brokers], clientId: 'topic-recorder', logLevel: logLevel.NOTHING });
    const recorder = new TopicRecorder(kafka);
    await recorder.consumer.connect();
    await recorder.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await recorder.consumer.run({
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
        throw new Error(`expected ${count} message(s) on ${topic} for key ${key}, got ${this.received(topic, key).length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.received(topic, key);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restart !== null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.restart, new Promise((resolve) => (timer = setTimeout(resolve, RESTART_JOIN_WAIT_MS)))]);
      clearTimeout(timer);
    }
    await this.consumer.disconnect();
  }
}
