import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { freePort, recreateDatabase } from '@app/dev-stack';
import { eventually, type SessionCompletedMessage } from '@app/testing';
import { ApiHarness } from '../../support/api-harness';
import { ownDatabaseUrl } from '../../support/test-env';
import { WorkerFleet } from './worker-fleet';

/**
 * A redis-server of the test's own, on a free loopback port, without automatic persistence (`--save
 * "" --appendonly no`): what a restart loses, it loses, unless the test took a snapshot (SAVE), which
 * the next start loads, as a Redis with RDB persistence does after a crash. Its directory is a fresh
 * temporary one. The shared Redis of the other test files is never touched. Stopped with SHUTDOWN
 * NOSAVE and started again on the same port.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private output = '';
  private control: Redis | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'leaderboard-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the server (again, on the same port) and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.child !== null) {
      throw new Error(`redis-server on ${this.port} is already running`);
    }
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--dbfilename', 'dump.rdb', '--loglevel', 'warning'];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-10_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      if (this.child === child) {
        this.child = null;
      }
    });
    this.child = child;
    await eventually(
      `redis-server on port ${this.port} to answer`,
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`redis-server exited with ${child.exitCode}:\n${this.output}`);
        }
        const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG' ? true : undefined;
        } catch {
          return undefined;
        } finally {
          probe.disconnect();
        }
      },
      15_000,
    );
  }

  /** SHUTDOWN NOSAVE, then waits until the process is gone: everything in it is lost. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await this.command('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await exited;
  }

  /**
   * One command on the control connection (opened on first use, reconnected after a restart). Redis
   * errors reject.
   */
  async command(name: string, ...args: Array<string | number>): Promise<unknown> {
    this.control ??= this.connection();
    return this.control.call(name, ...args);
  }

  /** A connection of the caller's own (a subscriber, say); the caller disconnects it. */
  connection(): Redis {
    const connection = new Redis(this.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    connection.on('error', () => undefined);
    return connection;
  }

  /** Removes the snapshot, if one was taken: the next start begins empty. */
  forgetSnapshot(): void {
    rmSync(join(this.dir, 'dump.rdb'), { force: true });
  }

  /**
   * Stops the server if it runs (SIGKILL of the process this class started), closes the control
   * connection and removes its directory.
   */
  async dispose(): Promise<void> {
    this.control?.disconnect();
    this.control = null;
    const child = this.child;
    if (child !== null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A message and the partition it goes to: a user's messages always go to one partition. */
export interface Placed {
  readonly event: SessionCompletedMessage;
  readonly partition: number;
}

/**
 * One scenario's engine around a private Redis: a freshly migrated database of its own (so that its
 * boards hold its users only), worker processes in a consumer group of their own (WorkerFleet) and
 * the real api app in process, both on the private Redis under one key prefix.
 */
export class LeaderboardStage {
  private constructor(
    readonly fleet: WorkerFleet,
    readonly api: ApiHarness,
    readonly redis: PrivateRedis,
    private readonly producer: Producer,
  ) {}

  static async start(redis: PrivateRedis, database: string): Promise<LeaderboardStage> {
    const databaseUrl = ownDatabaseUrl(database);
    await recreateDatabase(databaseUrl, () => undefined);
    const fleet = await WorkerFleet.create({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url, MAX_EVENTS_PER_TRANSACTION: '50' });
    const api = await ApiHarness.start({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url, REDIS_KEY_PREFIX: fleet.env.REDIS_KEY_PREFIX });
    const producer = new Kafka({ brokers: fleet.env.KAFKA_BROKERS.split(','), clientId: 'leaderboard-stage', logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    return new LeaderboardStage(fleet, api, redis, producer);
  }

  get prefix(): string {
    return this.fleet.env.REDIS_KEY_PREFIX;
  }

  /** Produces the messages in order, `chunk` at a time with a pause between chunks: a steady stream. */
  async stream(messages: readonly Placed[], chunk: number, pauseMs: number): Promise<void> {
    for (let start = 0; start < messages.length; start += chunk) {
      await this.producer.send({
        topic: this.fleet.env.TOPIC_SESSION_COMPLETED,
        acks: -1,
        messages: messages.slice(start, start + chunk).map(({ event, partition }) => ({ key: event.userId, partition, value: JSON.stringify(event) })),
      });
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** How many of the events' distinct eventIds the engine has processed (committed). */
  async processedCount(events: readonly SessionCompletedMessage[]): Promise<number> {
    const [{ count }] = await this.fleet.dataSource.query(`SELECT count(*)::int AS count FROM processed_events WHERE event_id = ANY($1)`, [
      [...new Set(events.map((event) => event.eventId))],
    ]);
    return count;
  }

  async stop(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    await this.api?.stop();
    await this.fleet?.stop();
  }
}
