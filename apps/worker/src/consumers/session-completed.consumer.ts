import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  ApplySessionBatchCommand,
  ApplySessionCompletedCommand,
  ApplySessionCompletedUseCase,
  Clock,
  type ApplySessionCompletedOutcome,
} from '@app/application';
import { AppConfig } from '@app/config';
import type { CompletedSession } from '@app/domain';
import {
  BatchConsumerFactory,
  ConsumerStoppedError,
  DeadLetterPublisher,
  parseSessionCompleted,
  TopicAdmin,
  type BatchConsumer,
  type DeadLetter,
  type HandlingContext,
  type InboundMessage,
} from '@app/messaging';
import { isTransientDatabaseError } from '@app/persistence';
import { WorkerMetrics } from '../observability/worker-metrics';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { FATAL_ERROR_HANDLER, type FatalErrorHandler } from '../worker.tokens';

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

interface ValidMessage {
  readonly message: InboundMessage;
  readonly session: CompletedSession;
}

/** What every log line about one message carries, so that an operator can find it on its topic and in the database. */
interface MessageFields {
  readonly eventId?: string;
  readonly userId?: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The ids of a message: from the parsed event, else whatever an invalid one still names (its JSON
 * fields when it is a JSON object, else its key, which producers set to the userId).
 */
function messageFields(message: InboundMessage, session?: CompletedSession): MessageFields {
  const place = { topic: message.topic, partition: message.partition, offset: message.offset };
  if (session !== undefined) {
    return { eventId: session.eventId, userId: session.userId, ...place };
  }
  const named = namedIds(message.value);
  const key = message.key?.toString('utf8');
  return { eventId: named.eventId, userId: named.userId ?? key, ...place };
}

function namedIds(value: Buffer | null): { eventId?: string; userId?: string } {
  try {
    const document: unknown = JSON.parse(value?.toString('utf8') ?? '');
    if (typeof document !== 'object' || document === null) {
      return {};
    }
    const { eventId, userId } = document as Record<string, unknown>;
    return { eventId: typeof eventId === 'string' ? eventId : undefined, userId: typeof userId === 'string' ? userId : undefined };
  } catch {
    return {};
  }
}

/** What every line about a run carries: where it sits on its partition. */
function runFields(messages: readonly InboundMessage[]) {
  return {
    topic: messages[0].topic,
    partition: messages[0].partition,
    firstOffset: messages[0].offset,
    lastOffset: messages[messages.length - 1].offset,
    size: messages.length,
  };
}

/**
 * session.completed in: each run of messages of a partition is validated, invalid ones go to the
 * DLQ, and the valid ones are applied exactly once through the shared use case in one transaction.
 * Transient faults are retried in place (offsets do not move meanwhile); a run that fails for a
 * deterministic reason is applied one message at a time, so that only the message at fault goes to
 * the DLQ. One bad message never blocks its partition and none is lost.
 */
@Injectable()
export class SessionCompletedConsumer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SessionCompletedConsumer.name);
  private consumer: BatchConsumer | null = null;

  constructor(
    private readonly consumers: BatchConsumerFactory,
    private readonly config: AppConfig,
    private readonly topics: TopicAdmin,
    private readonly applySession: ApplySessionCompletedUseCase,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    private readonly metrics: WorkerMetrics,
    @Inject(FATAL_ERROR_HANDLER) private readonly onFatal: FatalErrorHandler,
  ) {}

  /**
   * Creates the topics and joins the group; resolves once consuming. Called by createWorker after the
   * logger is attached rather than from a bootstrap hook, whose lines Nest would hold back until
   * bootstrap ends: these steps can wait on the broker, and a wait must show while it lasts.
   */
  async start(): Promise<void> {
    const topic = this.config.topics.sessionCompleted;
    this.logger.log({ topic }, 'creating the topics that are missing');
    await this.topics.ensureTopics();
    this.consumer = this.consumers.create({
      groupId: this.config.kafka.groupId,
      topic: this.config.topics.sessionCompleted,
      partitionsConsumedConcurrently: this.config.kafka.partitionsConsumedConcurrently,
      sessionTimeoutMs: this.config.kafka.sessionTimeoutMs,
      rebalanceTimeoutMs: this.config.kafka.rebalanceTimeoutMs,
      maxMessagesPerCall: this.config.kafka.maxEventsPerTransaction,
      handle: (messages, context) => this.handle(messages, context),
      afterBatch: () => this.relay.wake(),
      onFatalCrash: this.onFatal,
    });
    await this.consumer.start();
    this.logger.log({ topic, groupId: this.config.kafka.groupId }, `consuming ${topic} as group ${this.config.kafka.groupId}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  isRunning(): boolean {
    return this.consumer?.isRunning() ?? false;
  }

  private async handle(messages: readonly InboundMessage[], context: HandlingContext): Promise<void> {
    const started = process.hrtime.bigint();
    const now = this.clock.now();
    const valid: ValidMessage[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of messages) {
      const parsed = parseSessionCompleted(message.value, now);
      if (parsed.ok) {
        valid.push({ message, session: parsed.session });
      } else {
        rejected.push({ message, code: parsed.code, reason: parsed.message });
      }
    }
    const outcomes = await this.apply(messages, valid, context);
    const failed = valid.flatMap(({ message }, index) => {
      const outcome = outcomes[index];
      return outcome instanceof Error
        ? [{ message, code: 'PROCESSING_FAILED' as const, reason: `applying the event failed: ${outcome.message}` }]
        : [];
    });
    const deadLetters = [...rejected, ...failed];
    if (deadLetters.length > 0) {
      await this.retrying(messages, context, () => this.deadLetters.publish(deadLetters));
    }
    this.record(messages, valid, outcomes, deadLetters, Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** The outcome of each valid message, in order; an Error where applying it failed deterministically. */
  private async apply(
    run: readonly InboundMessage[],
    valid: readonly ValidMessage[],
    context: HandlingContext,
  ): Promise<Array<ApplySessionCompletedOutcome | Error>> {
    if (valid.length === 0) {
      return [];
    }
    try {
      return await this.retrying(
        run,
        context,
        () => this.applySession.executeBatch(new ApplySessionBatchCommand(valid.map(({ session }) => session), 'kafka')),
        isTransientDatabaseError,
      );
    } catch (error) {
      if (error instanceof ConsumerStoppedError) {
        throw error;
      }
      if (valid.length === 1) {
        return [error as Error];
      }
      this.logger.warn(
        { ...runFields(run), events: valid.length, err: error },
        `a run of ${valid.length} events failed (${(error as Error).message}); applying them one by one`,
      );
      const outcomes: Array<ApplySessionCompletedOutcome | Error> = [];
      for (const { message, session } of valid) {
        try {
          outcomes.push(
            await this.retrying(
              [message],
              context,
              () => this.applySession.execute(new ApplySessionCompletedCommand(session, 'kafka')),
              isTransientDatabaseError,
            ),
          );
        } catch (single) {
          if (single instanceof ConsumerStoppedError) {
            throw single;
          }
          this.logger.warn({ ...messageFields(message, session), err: single }, `applying the event on its own failed: ${(single as Error).message}`);
          outcomes.push(single as Error);
        }
      }
      return outcomes;
    }
  }

  private record(
    run: readonly InboundMessage[],
    valid: readonly ValidMessage[],
    outcomes: ReadonlyArray<ApplySessionCompletedOutcome | Error>,
    deadLetters: readonly DeadLetter[],
    seconds: number,
  ): void {
    outcomes.forEach((outcome, index) => {
      if (!(outcome instanceof Error)) {
        this.metrics.countOutcome(outcome.status);
        this.logger.debug({ ...messageFields(valid[index].message, valid[index].session), outcome: outcome.status }, `event ${outcome.status}`);
      }
    });
    for (const letter of deadLetters) {
      this.metrics.countOutcome('rejected', letter.code);
      const parsed = valid.find(({ message }) => message === letter.message)?.session;
      this.logger.warn(
        { ...messageFields(letter.message, parsed), code: letter.code },
        `sent to the DLQ: ${letter.code} ${letter.reason}`,
      );
    }
    this.metrics.observeRun(run.length, seconds);
    this.logger.debug({ ...runFields(run), ms: Math.round(seconds * 1000) }, `handled ${run.length} message(s) in ${(seconds * 1000).toFixed(1)} ms`);
  }

  /**
   * Runs `work` until it succeeds, waiting out transient faults with capped exponential backoff and
   * heartbeating meanwhile so that the group keeps the partition. Gives up only when the consumer stops.
   */
  private async retrying<T>(
    run: readonly InboundMessage[],
    context: HandlingContext,
    work: () => Promise<T>,
    isTransient: (error: unknown) => boolean = () => true,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (!isTransient(error)) {
          throw error;
        }
        if (!context.isActive()) {
          throw new ConsumerStoppedError();
        }
        const delay = Math.min(INITIAL_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);
        this.logger.warn(
          { ...(run.length === 1 ? messageFields(run[0]) : runFields(run)), attempt, delayMs: delay },
          `transient failure (attempt ${attempt}), retrying in ${delay} ms: ${(error as Error).message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        await context.heartbeat().catch(() => undefined);
      }
    }
  }
}
