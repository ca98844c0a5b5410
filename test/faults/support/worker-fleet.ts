import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@app/persistence';
import { eventually, TopicRecorder, WorkerProcess, type SessionCompletedMessage } from '@app/testing';
import { workerTestEnv } from '../../support/test-env';
import type { InvariantInputs } from './invariants';
import type { SeededRandom } from './seeded-random';

/**
 * Worker processes sharing one consumer group and one set of topics, with what the scenarios need
 * around them: a producer, a recorder of the output topics and a database connection of their own.
 */
export class WorkerFleet {
  readonly workers: WorkerProcess[] = [];
  private recorder: TopicRecorder | null = null;
  private recording: Promise<TopicRecorder> | null = null;

  private constructor(
    readonly env: ReturnType<typeof workerTestEnv>,
    readonly dataSource: DataSource,
    private readonly producer: Producer,
  ) {}

  static async create(overrides: Record<string, string>): Promise<WorkerFleet> {
    // Short group timeouts, so that a killed worker's partitions move within seconds.
    const env = { ...workerTestEnv(), KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_REBALANCE_TIMEOUT_MS: '8000', ...overrides };
    const dataSource = createDataSource({ url: env.DATABASE_URL, poolSize: 2 }, 'gamification-tests');
    await dataSource.initialize();
    // Idempotent: a send retried after a timeout on a loaded box must not write its messages twice,
    // or "one message per event" (which the SIGTERM test's offset count relies on) would not hold.
    const producer = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'fleet-producer', logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    return new WorkerFleet(env, dataSource, producer);
  }

  get topics() {
    return {
      sessionCompleted: this.env.TOPIC_SESSION_COMPLETED,
      badgeAwarded: this.env.TOPIC_BADGE_AWARDED,
      levelUp: this.env.TOPIC_LEVEL_UP,
      sessionCompletedDlq: this.env.TOPIC_SESSION_COMPLETED_DLQ,
    };
  }

  /** Starts one more worker; the first one also creates the topics, so recording starts after it. */
  async startWorker(): Promise<WorkerProcess> {
    const worker = await WorkerProcess.start(this.env);
    this.workers.push(worker);
    // One recorder for the fleet, even when two workers start at once: a second one, started before
    // the first was assigned, would never be stopped, and would fetch on after the test file ended.
    this.recording ??= TopicRecorder.start(this.env.KAFKA_BROKERS.split(','), [this.topics.badgeAwarded, this.topics.levelUp, this.topics.sessionCompletedDlq]);
    this.recorder = await this.recording;
    return worker;
  }

  /** Produces the events in order, `chunk` at a time with a pause between chunks: a steady stream. */
  async stream(events: readonly SessionCompletedMessage[], chunk: number, pauseMs: number): Promise<void> {
    for (let start = 0; start < events.length; start += chunk) {
      await this.producer.send({
        topic: this.topics.sessionCompleted,
        acks: -1,
        messages: events.slice(start, start + chunk).map((event) => ({ key: event.userId, value: JSON.stringify(event) })),
      });
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  async processedCount(events: readonly SessionCompletedMessage[]): Promise<number> {
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM processed_events WHERE event_id = ANY($1)`, [
      events.map((event) => event.eventId),
    ]);
    return count;
  }

  /**
   * SIGKILLs the newest worker `kills` times while it is applying (once it has processed 60 more of
   * `events` since it started, plus a seeded jitter) and starts another each time. Returns how many of
   * `events` were processed at each kill.
   */
  async killMidRun(events: readonly SessionCompletedMessage[], kills: number, random: SeededRandom): Promise<number[]> {
    const killedAt: number[] = [];
    for (let kill = 0; kill < kills; kill += 1) {
      const before = await this.processedCount(events);
      await eventually('the worker to make progress', async () => ((await this.processedCount(events)) >= before + 60 ? true : undefined), 60_000);
      await new Promise((resolve) => setTimeout(resolve, random.int(10, 49)));
      await this.workers[this.workers.length - 1].kill('SIGKILL');
      killedAt.push(await this.processedCount(events));
      await this.startWorker();
    }
    return killedAt;
  }

  invariantInputs(): Omit<InvariantInputs, 'produced' | 'rejected'> {
    if (this.recorder === null) {
      throw new Error('no worker was started');
    }
    return {
      dataSource: this.dataSource,
      recorder: this.recorder,
      brokers: this.env.KAFKA_BROKERS.split(','),
      topics: this.topics,
      groupIds: [this.env.KAFKA_GROUP_ID],
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.kill('SIGTERM')));
    await (await this.recording?.catch(() => null))?.stop();
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }
}
