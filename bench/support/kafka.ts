import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Progress } from '@app/dev-stack';
import { createTopicsWithLeaders } from '@app/messaging';
import type { BenchEvent } from './events';

export function benchKafka(brokers: readonly string[]): Kafka {
  return new Kafka({ brokers: [...brokers], clientId: `bench-${randomUUID().slice(0, 6)}`, logLevel: logLevel.NOTHING });
}

export async function createTopics(kafka: Kafka, topics: readonly string[], partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsWithLeaders(admin, topics.map((topic) => ({ topic, numPartitions: partitions })));
  await admin.disconnect();
}

export async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
}

/** Produces the events in chunks as fast as the broker takes them, acknowledged by all replicas. */
export async function produceAll(producer: Producer, topic: string, events: readonly BenchEvent[], progress: Progress): Promise<void> {
  const chunk = 2_000;
  for (let start = 0; start < events.length; start += chunk) {
    await producer.send({
      topic,
      acks: -1,
      messages: events.slice(start, start + chunk).map(({ key, value }) => ({ key, value })),
    });
    if ((start / chunk) % 10 === 9) {
      progress(`  produced ${start + chunk} of ${events.length}`);
    }
  }
}
