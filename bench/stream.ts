import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { createParser } from 'eventsource-parser';
import jwt from 'jsonwebtoken';
import { Kafka, logLevel } from 'kafkajs';
import { printProgress } from '@app/dev-stack';
import { createTopicsWithLeaders } from '@app/messaging';
import { BENCH_JWT_SECRET, startApi } from './support/api-process';
import { percentile, waitUntil } from './support/stats';

export interface StreamBenchOptions {
  readonly databaseUrl: string;
  readonly brokers: readonly string[];
  /** Streams held open at once, one user each. */
  readonly streams: number;
  /** Events published, one after another at `rate` per second, each to one of the streams' users. */
  readonly events: number;
  readonly rate: number;
}

export interface StreamBenchResults {
  readonly streams: number;
  readonly events: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  readonly rssIdleMb: number;
  readonly rssWithStreamsMb: number;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

/**
 * GET /gamification/stream at scale: the built api with `streams` streams open (RSS before and
 * after opening them), then `events` events produced to the badge topic at a steady rate, each
 * timed from just before its produce request to its arrival on its user's stream (so the produce
 * round trip, the api's fetch and the write are all in it).
 */
export async function streamBench(options: StreamBenchOptions): Promise<StreamBenchResults> {
  const run = randomUUID().slice(0, 8);
  // The topics the api tails, as a worker would have created them; the events go to the badge topic.
  const topics = {
    TOPIC_BADGE_AWARDED: `bench.stream.badge.awarded.${run}`,
    TOPIC_LEVEL_UP: `bench.stream.level.up.${run}`,
    TOPIC_STREAK_AT_RISK: `bench.stream.streak.at_risk.${run}`,
    TOPIC_STREAK_FROZEN: `bench.stream.streak.frozen.${run}`,
    TOPIC_STREAK_LOST: `bench.stream.streak.lost.${run}`,
  };
  const topic = topics.TOPIC_BADGE_AWARDED;
  const kafka = new Kafka({ clientId: `bench-stream-${run}`, brokers: [...options.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsWithLeaders(admin, Object.values(topics).map((name) => ({ topic: name, numPartitions: 6 })));
  await admin.disconnect();
  const api = await startApi(options.databaseUrl, { KAFKA_BROKERS: options.brokers.join(','), KAFKA_CLIENT_ID: `bench-stream-${run}`, ...topics });
  const connections: ClientRequest[] = [];
  const producer = kafka.producer();
  try {
    await waitUntil('the api to tail the topics', async () => ((await (await fetch(`${api.base}/health/ready`)).json()) as { stream?: string }).stream === 'up', 60_000, 200);
    const pid = api.process.pid!;
    const rssIdleMb = rssMb(pid);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    printProgress(`stream: opening ${options.streams} streams...`);
    for (let index = 0; index < options.streams; index += 1) {
      const token = jwt.sign({ sub: `bench-stream-${run}-${index}` }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
      await new Promise<void>((resolve, reject) => {
        const connection = request(`${api.base}/gamification/stream`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } }, (response) => {
          if (response.statusCode !== 200) {
            reject(new Error(`stream ${index} was refused: ${response.statusCode}`));
            return;
          }
          const parser = createParser({
            onEvent: ({ id }) => {
              const sent = id === undefined ? undefined : sentAt.get(id);
              if (sent !== undefined) {
                latencies.push(performance.now() - sent);
              }
            },
          });
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => parser.feed(chunk));
          resolve();
        });
        connection.once('error', reject);
        connection.end();
        connections.push(connection);
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const rssWithStreamsMb = rssMb(pid);

    await producer.connect();
    printProgress(`stream: producing ${options.events} events at ${options.rate}/s...`);
    const intervalMs = 1000 / options.rate;
    const started = performance.now();
    for (let index = 0; index < options.events; index += 1) {
      const wait = started + index * intervalMs - performance.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const userId = `bench-stream-${run}-${index % options.streams}`;
      const eventId = randomUUID();
      const event = { eventId, type: 'badge.awarded', userId, badgeCode: 'FIRST_STEPS', badgeName: 'First Steps', awardedAt: new Date().toISOString(), sourceEventId: randomUUID() };
      sentAt.set(eventId, performance.now());
      await producer.send({ topic, messages: [{ key: userId, value: JSON.stringify(event) }] });
    }
    await waitUntil(`all ${options.events} events on their streams`, async () => latencies.length >= options.events, 30_000, 50);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      streams: options.streams,
      events: options.events,
      latencyP50Ms: percentile(sorted, 50),
      latencyP99Ms: percentile(sorted, 99),
      latencyMaxMs: sorted[sorted.length - 1],
      rssIdleMb,
      rssWithStreamsMb,
    };
  } finally {
    for (const connection of connections) {
      connection.destroy();
    }
    await producer.disconnect();
    await api.stop();
  }
}
