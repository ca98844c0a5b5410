import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
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

/**
 * session.completed in: each run of messages of a partition is validated, invalid ones go to the
 * DLQ, and the valid ones are applied exactly once through the shared use case in one transaction.
 * Transient faults are retried in place (offsets do not move meanwhile); a run that fails for a
 * deterministic reason is applied one message at a time, so that only the message at fault goes to
 * the DLQ. One bad message never blocks its partition and none is lost.
 */
@Injectable()
export class SessionCompletedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
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

  async onApplicationBootstrap(): Promise<void> {
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
    this.logger.log(`consuming ${this.config.topics.sessionCompleted} as group ${this.config.kafka.groupId}`);
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
    const outcomes = await this.apply(valid, context);
    const failed = valid.flatMap(({ message }, index) => {
      const outcome = outcomes[index];
      return outcome instanceof Error
        ? [{ message, code: 'PROCESSING_FAILED' as const, reason: `applying the event failed: ${outcome.message}` }]
        : [];
    });
    const deadLetters = [...rejected, ...failed];
    if (deadLetters.length > 0) {
      await this.retrying(context, () => this.deadLetters.publish(deadLetters));
    }
    this.record(outcomes, deadLetters, Number(process.hrtime.bigint() - started) / 1e9, messages.length);
  }

  /** The outcome of each valid message, in order; an Error where applying it failed deterministically. */
  private async apply(valid: readonly ValidMessage[], context: HandlingContext): Promise<Array<ApplySessionCompletedOutcome | Error>> {
    if (valid.length === 0) {
      return [];
    }
    try {
      return await this.retrying(
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
      this.logger.warn(`a run of ${valid.length} events failed (${(error as Error).message}); applying them one by one`);
      const outcomes: Array<ApplySessionCompletedOutcome | Error> = [];
      for (const { session } of valid) {
        try {
          outcomes.push(
            await this.retrying(
              context,
              () => this.applySession.execute(new ApplySessionCompletedCommand(session, 'kafka')),
              isTransientDatabaseError,
            ),
          );
        } catch (single) {
          if (single instanceof ConsumerStoppedError) {
            throw single;
          }
          outcomes.push(single as Error);
        }
      }
      return outcomes;
    }
  }

  private record(
    outcomes: ReadonlyArray<ApplySessionCompletedOutcome | Error>,
    deadLetters: readonly DeadLetter[],
    seconds: number,
    size: number,
  ): void {
    for (const outcome of outcomes) {
      if (!(outcome instanceof Error)) {
        this.metrics.countOutcome(outcome.status);
      }
    }
    for (const letter of deadLetters) {
      this.metrics.countOutcome('rejected', letter.code);
      this.logger.warn(
        `partition ${letter.message.partition} offset ${letter.message.offset} sent to the DLQ: ${letter.code} ${letter.reason}`,
      );
    }
    this.metrics.observeRun(size, seconds);
    this.logger.debug(`handled ${size} message(s) in ${(seconds * 1000).toFixed(1)} ms`);
  }

  /**
   * Runs `work` until it succeeds, waiting out transient faults with capped exponential backoff and
   * heartbeating meanwhile so that the group keeps the partition. Gives up only when the consumer stops.
   */
  private async retrying<T>(
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
        this.logger.warn(`transient failure (attempt ${attempt}), retrying in ${delay} ms: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        await context.heartbeat().catch(() => undefined);
      }
    }
  }
}
