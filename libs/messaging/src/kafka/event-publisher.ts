import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { KAFKA } from './kafka.provider';

export interface OutgoingMessage {
  readonly topic: string;
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers: Readonly<Record<string, string | Buffer>>;
}

/** The one producer of a process. Resolves only once every message is acknowledged by all in-sync replicas. */
@Injectable()
export class EventPublisher implements OnApplicationShutdown {
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) {
      return;
    }
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = null;
      throw error;
    });
    await this.connected;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const topicMessages = byTopic.get(message.topic) ?? [];
      topicMessages.push(message);
      byTopic.set(message.topic, topicMessages);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, topicMessages]) => ({
        topic,
        messages: topicMessages.map(({ key, value, headers }) => ({ key, value, headers: { ...headers } })),
      })),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connected !== null) {
      await this.producer.disconnect();
    }
  }
}
