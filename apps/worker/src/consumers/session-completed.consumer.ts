import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApplySessionBatchCommand, ApplySessionCompletedCommand, ApplySessionCompletedUseCase, Clock, type RunStageObserver } from '@app/application';
import type { CompletedSession } from '@app/domain';
import {
  ConsumerStoppedError,
  DeadLetterPublisher,
  parseSessionCompleted,
  type ConsumedRunContext,
  type DeadLetter,
  type HandlingContext,
  type InboundMessage,
} from '@app/messaging';
import { isTransientDatabaseError } from '@app/persistence';
import { WorkerMetrics } from '../observability/worker-metrics';
import { messageFields, runFields } from './message-fields';
import { processingFailed, RETRY, type MessageOutcome, type SettledOutcome } from './message-outcome';

/** The pattern of the handler: the worker's transport hands it the runs of TOPIC_SESSION_COMPLETED. */
export const SESSION_COMPLETED = 'session.completed';

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

interface ValidMessage {
  readonly message: InboundMessage;
  readonly session: CompletedSession;
}

interface HandledMessage {
  readonly message: InboundMessage;
  readonly session: CompletedSession | undefined;
  readonly outcome: SettledOutcome;
}

/**
 * session.completed in: each run of messages of a partition is validated, invalid ones go to the
 * DLQ, and the valid ones are applied exactly once through the shared use case in one transaction.
 * Transient faults are retried in place (offsets do not move meanwhile); a run that fails for a
 * deterministic reason is applied one message at a time, so that only the message at fault goes to
 * the DLQ. One bad message never blocks its partition and none is lost.
 */
@Controller()
export class SessionCompletedConsumer {
  private readonly logger = new Logger(SessionCompletedConsumer.name);
  private readonly observeStage: RunStageObserver = (stage, seconds) => this.metrics.addStageSeconds(stage, seconds);

  constructor(
    private readonly applySession: ApplySessionCompletedUseCase,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly clock: Clock,
    private readonly metrics: WorkerMetrics,
  ) {}

  /**
   * A run of one partition's messages, in order (at most MAX_EVENTS_PER_TRANSACTION). When it
   * resolves, every message of the run is applied or dead-lettered, and the transport commits their
   * offsets; a ConsumerStoppedError leaves the run to be redelivered.
   */
  // Typed as a string pattern: the event-map overload would type @Ctx() as unknown.
  @EventPattern<string>(SESSION_COMPLETED)
  async handle(@Payload() messages: readonly InboundMessage[], @Ctx() context: ConsumedRunContext): Promise<void> {
    const started = process.hrtime.bigint();
    const now = this.clock.now();
    const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
    const valid: ValidMessage[] = [];
    const outcomes = new Map<InboundMessage, MessageOutcome>();
    for (const message of messages) {
      const parsed = parseSessionCompleted(message.value, now);
      if (parsed.ok) {
        valid.push({ message, session: parsed.session });
      } else {
        outcomes.set(message, { status: 'rejected', code: parsed.code, reason: parsed.message });
      }
    }
    this.metrics.addStageSeconds('parse', seconds(started));
    for (const [message, outcome] of await this.apply(messages, valid, context)) {
      outcomes.set(message, outcome);
    }
    const sessions = new Map(valid.map(({ message, session }) => [message, session]));
    const handled: HandledMessage[] = [];
    for (const message of messages) {
      const outcome = outcomes.get(message)!;
      if (outcome.status === 'retry') {
        // Nothing of the run is committed: all of it is redelivered, and what was applied before the stop comes back as duplicates.
        throw new ConsumerStoppedError();
      }
      handled.push({ message, session: sessions.get(message), outcome });
    }
    const deadLetters = handled.flatMap(({ message, outcome }): DeadLetter[] =>
      outcome.status === 'rejected' ? [{ message, code: outcome.code, reason: outcome.reason }] : [],
    );
    if (deadLetters.length > 0) {
      const publishing = process.hrtime.bigint();
      await this.retrying(messages, context, () => this.deadLetters.publish(deadLetters));
      this.metrics.addStageSeconds('dead letters', seconds(publishing));
    }
    this.record(messages, handled, seconds(started));
  }

  /** The outcome of each valid message. */
  private async apply(
    run: readonly InboundMessage[],
    valid: readonly ValidMessage[],
    context: HandlingContext,
  ): Promise<ReadonlyMap<InboundMessage, MessageOutcome>> {
    if (valid.length === 0) {
      return new Map();
    }
    try {
      const outcomes = await this.retrying(
        run,
        context,
        () => this.applySession.executeBatch(new ApplySessionBatchCommand(valid.map(({ session }) => session), 'kafka'), this.observeStage),
        isTransientDatabaseError,
      );
      return new Map(valid.map(({ message }, index) => [message, outcomes[index]]));
    } catch (error) {
      if (error instanceof ConsumerStoppedError) {
        return new Map(valid.map(({ message }) => [message, RETRY]));
      }
      if (valid.length === 1) {
        return new Map([[valid[0].message, processingFailed(error)]]);
      }
      this.logger.warn(
        { ...runFields(run), events: valid.length, err: error },
        `a run of ${valid.length} events failed (${(error as Error).message}); applying them one by one`,
      );
      const outcomes = new Map<InboundMessage, MessageOutcome>();
      for (const { message, session } of valid) {
        outcomes.set(message, await this.applyOne(message, session, context));
      }
      return outcomes;
    }
  }

  private async applyOne(message: InboundMessage, session: CompletedSession, context: HandlingContext): Promise<MessageOutcome> {
    try {
      return await this.retrying(
        [message],
        context,
        () => this.applySession.execute(new ApplySessionCompletedCommand(session, 'kafka'), this.observeStage),
        isTransientDatabaseError,
      );
    } catch (error) {
      if (error instanceof ConsumerStoppedError) {
        return RETRY;
      }
      this.logger.warn({ ...messageFields(message, session), err: error }, `applying the event on its own failed: ${(error as Error).message}`);
      return processingFailed(error);
    }
  }

  private record(run: readonly InboundMessage[], handled: readonly HandledMessage[], seconds: number): void {
    for (const { message, session, outcome } of handled) {
      const fields = messageFields(message, session);
      if (outcome.status === 'rejected') {
        this.metrics.countOutcome('rejected', outcome.code);
        this.logger.warn({ ...fields, code: outcome.code }, `sent to the DLQ: ${outcome.code} ${outcome.reason}`);
      } else {
        this.metrics.countOutcome(outcome.status);
        this.logger.debug({ ...fields, outcome: outcome.status }, `event ${outcome.status}`);
        if (outcome.status === 'applied' && outcome.decision.unknownSkills.length > 0) {
          this.metrics.countUnknownSkills(outcome.decision.unknownSkills.length);
        }
      }
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
