import type { INestApplicationContext } from '@nestjs/common';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { In, type DataSource } from 'typeorm';
import { AppConfig, type Topics } from '@app/config';
import {
  createDataSource,
  DailyChallengeEntity,
  PracticeDayEntity,
  ProcessedEventEntity,
  UserBadgeEntity,
  UserProfileEntity,
} from '@app/persistence';
import { eventually, TopicRecorder } from '@app/testing';
import { createWorker } from '../../apps/worker/src/worker';
import { workerTestEnv } from './test-env';

/**
 * A real worker (the Nest app the process would run) on the real broker and database, with topics
 * and a consumer group of its own so that test files do not see each other's messages.
 */
export class EngineHarness {
  private constructor(
    readonly worker: INestApplicationContext,
    readonly topics: Topics,
    readonly brokers: string[],
    readonly dataSource: DataSource,
    readonly recorder: TopicRecorder,
    private readonly producer: Producer,
    readonly groupId: string,
  ) {}

  static async start(overrides: Record<string, string> = {}): Promise<EngineHarness> {
    const env = { ...workerTestEnv(), ...overrides };
    const brokers = env.KAFKA_BROKERS.split(',');
    const worker = await createWorker({
      env,
      onFatalError: (error) => {
        throw error;
      },
    });
    const topics = worker.get(AppConfig).topics;
    const recorder = await TopicRecorder.start(brokers, [topics.badgeAwarded, topics.levelUp, topics.sessionCompletedDlq]);
    const kafka = new Kafka({ brokers, clientId: `test-producer-${env.KAFKA_CLIENT_ID}`, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // The tests read through a pool of their own, so that faults injected into the worker's
    // connections do not hit the assertions.
    const dataSource = createDataSource({ url: env.DATABASE_URL, poolSize: 4 }, 'gamification-tests');
    await dataSource.initialize();
    return new EngineHarness(worker, topics, brokers, dataSource, recorder, producer, env.KAFKA_GROUP_ID);
  }

  /** Produces messages to session.completed, keyed by userId as producers do; strings and buffers go as they are. */
  async send(key: string, ...values: Array<object | string | Buffer>): Promise<void> {
    await this.producer.send({
      topic: this.topics.sessionCompleted,
      acks: -1,
      messages: values.map((value) => ({
        key,
        value: typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value),
      })),
    });
  }

  /** Waits until the worker recorded every one of these eventIds as processed. */
  async processed(...eventIds: string[]): Promise<ProcessedEventEntity[]> {
    const repository = this.dataSource.getRepository(ProcessedEventEntity);
    return eventually(`events ${eventIds.join(', ')} to be processed`, async () => {
      const rows = await repository.findBy({ eventId: In(eventIds) });
      return rows.length === new Set(eventIds).size && rows.every((row) => row.outcome !== null) ? rows : undefined;
    });
  }

  async profile(userId: string): Promise<UserProfileEntity | null> {
    return this.dataSource.getRepository(UserProfileEntity).findOneBy({ userId });
  }

  async badgeCodes(userId: string): Promise<string[]> {
    const badges = await this.dataSource.getRepository(UserBadgeEntity).find({ where: { userId }, order: { badgeCode: 'ASC' } });
    return badges.map((badge) => badge.badgeCode);
  }

  async practiceDates(userId: string): Promise<string[]> {
    const days = await this.dataSource.getRepository(PracticeDayEntity).find({ where: { userId }, order: { practiceDate: 'ASC' } });
    return days.map((day) => day.practiceDate);
  }

  async challenges(userId: string): Promise<DailyChallengeEntity[]> {
    return this.dataSource.getRepository(DailyChallengeEntity).find({ where: { userId }, order: { challengeDate: 'ASC', type: 'ASC' } });
  }

  /** Waits until the relay published every outbox row of the user. */
  async awardsPublished(userId: string): Promise<number> {
    return eventually(`the outbox of ${userId} to be published`, async () => {
      const [row] = await this.dataSource.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent
         FROM outbox_messages WHERE message_key = $1`,
        [userId],
      );
      return row.unsent === 0 ? (row.total as number) : undefined;
    });
  }

  /** What the fault suite's invariants are checked against: this worker's database, topics and group. */
  invariantInputs() {
    return { dataSource: this.dataSource, recorder: this.recorder, brokers: this.brokers, topics: this.topics, groupIds: [this.groupId] };
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
    await this.recorder.stop();
    await this.worker.close();
    await this.dataSource.destroy();
  }
}
