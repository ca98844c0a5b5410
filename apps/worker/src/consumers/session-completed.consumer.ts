import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ApplySessionCompletedCommand, ApplySessionCompletedUseCase, Clock } from '@app/application';
import { AppConfig } from '@app/config';
import {
  BatchConsumerFactory,
  ConsumerStoppedError,
  DeadLetterPublisher,
  type BatchConsumer,
  parseSessionCompleted,
  TopicAdmin,
  type HandlingContext,
  type InboundMessage,
} from '@app/messaging';
import { isTransientDatabaseError } from '@app/persistence';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { WorkerMetrics } from '../observability/worker-metrics';
import { FATAL_ERROR_HANDLER, type FatalErrorHandler } from '../worker.tokens';

/** What happened to one message: never silently nothing. */
export type MessageOutcome =
  | { readonly kind: 'applied'; readonly awardEvents: number }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string };

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;
const PARTITIONS_CONSUMED_CONCURRENTLY = 3;

/**
 * session.completed in: valid events are applied exactly once through the shared use case,
 * invalid ones go to the DLQ, transient faults are retried in place (the offset is not committed
 * meanwhile), so one bad message never blocks its partition and none is lost.
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
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      handle: async (message, context) => {
        const started = process.hrtime.bigint();
        const outcome = await this.process(message, context);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.metrics.handled(outcome.kind, seconds, outcome.kind === 'rejected' ? outcome.code : undefined);
        const where = `partition ${message.partition} offset ${message.offset}`;
        if (outcome.kind === 'rejected') {
          this.logger.warn(`${where} sent to the DLQ: ${outcome.code} ${outcome.reason}`);
        } else if (outcome.kind === 'duplicate') {
          this.logger.debug(`${where} skipped: its eventId was applied before`);
        } else {
          this.logger.debug(`${where} applied, ${outcome.awardEvents} award event(s) in the outbox`);
        }
      },
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

  private async process(message: InboundMessage, context: HandlingContext): Promise<MessageOutcome> {
    const parsed = parseSessionCompleted(message.value, this.clock.now());
    if (!parsed.ok) {
      await this.retrying(context, () => this.deadLetters.publish(message, parsed.code, parsed.message));
      return { kind: 'rejected', code: parsed.code, reason: parsed.message };
    }
    try {
      const result = await this.retrying(
        context,
        () => this.applySession.execute(new ApplySessionCompletedCommand(parsed.session, 'kafka')),
        isTransientDatabaseError,
      );
      return result.status === 'applied' ? { kind: 'applied', awardEvents: result.awardEvents } : { kind: 'duplicate' };
    } catch (error) {
      if (error instanceof ConsumerStoppedError) {
        throw error;
      }
      const reason = `applying the event failed: ${(error as Error).message}`;
      await this.retrying(context, () => this.deadLetters.publish(message, 'PROCESSING_FAILED', reason));
      return { kind: 'rejected', code: 'PROCESSING_FAILED', reason };
    }
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
