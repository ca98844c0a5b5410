import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '@app/config';
import { createKafka, TopicTail, type TailedMessage } from '@app/messaging';
import { ApiError } from '../errors/api-error';
import { HttpMetrics } from '../observability/http-metrics';
import { EventStream, type LiveEvent, type StreamEnd } from './event-stream';

/** How long a client waits before reconnecting a stream that dropped (the `retry:` field), and after a refusal. */
const CLIENT_RETRY_MS = 2_000;
/** How long after a failed start, or the loss of a tail, a tail is started again: at first, and at most. */
const FIRST_RETRY_MS = 1_000;
const MAX_START_RETRY_MS = 30_000;
/** A tail lost this long after the previous loss starts the backoff afresh. */
const LOSSES_FORGOTTEN_AFTER_MS = 60_000;
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_TYPE = /^[a-z_]+\.[a-z_]+$/;

/** A published event as the stream sends it; null for a message that is not one of ours. */
function liveEvent(value: Buffer | null): LiveEvent | null {
  if (value === null) {
    return null;
  }
  let event: unknown;
  try {
    event = JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof event !== 'object' || event === null) {
    return null;
  }
  const { eventId, type, userId } = event as Record<string, unknown>;
  // eventId and type become the frame's `id:` and `event:` lines: nothing that could end a line.
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId) || typeof type !== 'string' || !EVENT_TYPE.test(type) || typeof userId !== 'string') {
    return null;
  }
  // Stringified again: one line whatever the producer's formatting, as an SSE data field must be.
  return { eventId, type, userId, json: JSON.stringify(event) };
}

/**
 * The live side of the api (contract section 11): the award and streak topics, tailed by this
 * instance alone, fanned out to the open streams of each event's user. The topics are the only
 * source: a stream says what the topics say, as every other consumer of them sees it. A stream is
 * opened only while the tail is fed, so that a client that reads the profile once its stream is open
 * misses nothing in between; a tail lost for good ends the streams (their clients come back when a
 * new tail is fed).
 */
@Injectable()
export class LiveEvents implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(LiveEvents.name);
  private readonly streams = new Map<string, Set<EventStream>>();
  private readonly newTail: () => TopicTail;
  private tail: TopicTail;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopping = false;
  private wakeStart: (() => void) | null = null;
  /** The stop of a tail lost for good, still under way: a shutdown waits for it too. */
  private retiring: Promise<void> = Promise.resolve();
  /** How long to wait before a new tail replaces one lost for good: doubled by each loss soon after the last. */
  private lossDelayMs = FIRST_RETRY_MS;
  private lastLossAt = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: HttpMetrics,
  ) {
    const kafka = createKafka(config.kafka.brokers, config.kafka.clientId);
    const { topics } = config;
    this.newTail = () =>
      new TopicTail(kafka, {
        groupPrefix: `${config.kafka.clientId}-api-stream`,
        topics: [topics.badgeAwarded, topics.levelUp, topics.streakAtRisk, topics.streakFrozen, topics.streakLost],
        onMessage: (message) => this.deliver(message),
        onFatalCrash: () => this.tailLost(),
      });
    this.tail = this.newTail();
  }

  onApplicationBootstrap(): void {
    this.heartbeat = setInterval(() => this.keepAlive(), this.config.stream.heartbeatMs);
    this.heartbeat.unref();
    // In the background: the api serves profiles while Kafka is away, and streams once it is back.
    void this.startTail();
  }

  /**
   * Before the HTTP server closes, which waits for every open connection: the streams end here (their
   * clients reconnect, to another instance).
   */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    if (this.heartbeat !== null) {
      clearInterval(this.heartbeat);
    }
    this.endAll('shutdown');
    this.wakeStart?.();
  }

  /** Once the HTTP server has closed, the tail leaves its group (a join still under way, with the broker away, is waited for). */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.retiring, this.tail.stop()]);
  }

  /** Whether events published now reach the streams. */
  isLive(): boolean {
    return !this.stopping && this.tail.isLive();
  }

  /**
   * Opens a stream of the user's events on the response, ended when the token expires (`expiresAt`,
   * null for none), so that a stream never outlives its credential. 503 while the tail is not fed,
   * 429 past the per-user limit.
   */
  open(userId: string, expiresAt: Date | null, response: Response): EventStream {
    const retryAfter = { 'Retry-After': String(Math.ceil(CLIENT_RETRY_MS / 1000)) };
    if (!this.isLive()) {
      throw new ApiError(503, 'STREAM_NOT_READY', 'Live events are not available on this instance right now; try again shortly.', retryAfter);
    }
    const open = this.streams.get(userId) ?? new Set<EventStream>();
    const { maxPerUser, maxBufferedBytes } = this.config.stream;
    if (open.size >= maxPerUser) {
      throw new ApiError(429, 'TOO_MANY_STREAMS', `At most ${maxPerUser} streams may be open at once for one user on this instance; close one first.`, retryAfter);
    }
    const stream = new EventStream(userId, response, maxBufferedBytes, (ended, reason) => this.closed(ended, reason));
    open.add(stream);
    this.streams.set(userId, open);
    this.metrics.streamOpened();
    stream.open(CLIENT_RETRY_MS, expiresAt);
    return stream;
  }

  private closed(stream: EventStream, reason: StreamEnd): void {
    const open = this.streams.get(stream.userId);
    if (open?.delete(stream) === true) {
      this.metrics.streamClosed(reason);
      if (open.size === 0) {
        this.streams.delete(stream.userId);
      }
    }
  }

  private deliver(message: TailedMessage): void {
    const event = liveEvent(message.value);
    if (event === null) {
      this.logger.warn({ topic: message.topic }, `skipped a message on ${message.topic} that is not an event with eventId, type and userId`);
      return;
    }
    for (const stream of [...(this.streams.get(event.userId) ?? [])]) {
      if (stream.send(event)) {
        this.metrics.streamEventSent();
      }
    }
  }

  private keepAlive(): void {
    for (const streams of [...this.streams.values()]) {
      for (const stream of [...streams]) {
        stream.keepAlive();
      }
    }
  }

  private endAll(reason: StreamEnd): void {
    for (const streams of [...this.streams.values()]) {
      for (const stream of [...streams]) {
        stream.end(reason);
      }
    }
  }

  /**
   * The tail crashed for good: its streams would stay silent, so they end, and a new tail (a new group)
   * starts after a backoff, so that a cause that persists (a missing authorization) does not spin.
   */
  private tailLost(): void {
    this.endAll('unfed');
    const now = Date.now();
    this.lossDelayMs = now - this.lastLossAt < LOSSES_FORGOTTEN_AFTER_MS ? Math.min(this.lossDelayMs * 2, MAX_START_RETRY_MS) : FIRST_RETRY_MS;
    this.lastLossAt = now;
    const lost = this.tail;
    this.tail = this.newTail();
    this.retiring = lost.stop().catch((error: Error) => this.logger.warn(`the lost tail did not stop cleanly: ${error.message}`));
    void this.retiring.then(() => this.sleep(this.lossDelayMs)).finally(() => this.startTail());
  }

  private async startTail(): Promise<void> {
    const tail = this.tail;
    for (let delayMs = FIRST_RETRY_MS; !this.stopping && tail === this.tail; delayMs = Math.min(delayMs * 2, MAX_START_RETRY_MS)) {
      try {
        await tail.start();
        if (this.stopping) {
          return;
        }
        this.logger.log({ groupId: tail.groupId }, `tailing the award and streak topics for live streams (group ${tail.groupId})`);
        return;
      } catch (error) {
        if (this.stopping) {
          return;
        }
        this.logger.warn(`could not start tailing the award and streak topics, retrying in ${delayMs} ms: ${(error as Error).message}`);
        await this.sleep(delayMs);
      }
    }
  }

  /** A pause that a shutdown cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeStart = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
