import { Catch, Logger, type BeforeApplicationShutdown, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom, throwError, type Observable } from 'rxjs';
import type { BatchConsumer, BatchConsumerFactory, BatchConsumerOptions, HandlingContext, InboundMessage } from './batch-consumer';
import type { TopicAdmin } from './topic-admin';

/**
 * What an `@EventPattern` handler gets with `@Ctx()`: where its run of messages comes from, and the
 * consumer's heartbeat and liveness while it works on them.
 */
export class ConsumedRunContext extends BaseRpcContext<[topic: string, partition: number, firstOffset: string, lastOffset: string, handling: HandlingContext]> implements HandlingContext {
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  /** The offsets of the run's first and last message: all of them commit once the handler resolves. */
  getOffsets(): { readonly first: string; readonly last: string } {
    return { first: this.args[2], last: this.args[3] };
  }

  /** False once the consumer is stopping or lost the partition: give up, and the run is redelivered. */
  isActive(): boolean {
    return this.args[4].isActive();
  }

  heartbeat(): Promise<void> {
    return this.args[4].heartbeat();
  }
}

export interface BatchConsumerServerOptions extends Omit<BatchConsumerOptions, 'handle'> {
  /** The `@EventPattern` whose handler gets the topic's runs. */
  readonly pattern: string;
}

/**
 * A Nest microservice transport over BatchConsumer, rather than Nest's own Kafka transport: it hands
 * the `@EventPattern` handler a whole run of one partition's messages (up to `maxMessagesPerCall`),
 * commits their offsets only once the handler has resolved, lets a handler's failure reach the
 * consumer unchanged (see PassThroughRpcErrors), keeps the configured group id as it is, and leaves
 * the group on close.
 */
export class BatchConsumerServer extends Server implements CustomTransportStrategy, BeforeApplicationShutdown {
  /** The handler's failure reaches the consumer, which retries its run: Nest need not log it. */
  override readonly propagatesEventHandlerErrors = true;
  private readonly steps = new Logger(BatchConsumerServer.name);
  private consumer: BatchConsumer | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly consumers: BatchConsumerFactory,
    private readonly topics: TopicAdmin,
    private readonly options: BatchConsumerServerOptions,
  ) {
    super();
  }

  /** Creates the missing topics and joins the group; calls back once this member holds its partitions. */
  listen(callback: (error?: unknown) => void): void {
    this.starting = this.start();
    this.starting.then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** For readiness: consuming, and not crashed beyond the consumer's own restarts. */
  isRunning(): boolean {
    return this.consumer?.isRunning() ?? false;
  }

  /**
   * Lets the runs in hand finish, commits them and leaves the group; once, however often it is asked.
   * A close during the start waits for it, so that no consumer is left running behind it.
   */
  close(): Promise<void> {
    this.stopping ??= (async () => {
      await this.starting?.catch(() => undefined);
      await this.consumer?.stop();
    })();
    return this.stopping;
  }

  /** A shutdown stops consuming with the other services' stops, before Nest disposes of the transport. */
  beforeApplicationShutdown(): Promise<void> {
    return this.close();
  }

  on(): never {
    throw new Error('BatchConsumerServer emits no events: its consumer reports through the log and isRunning()');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const handler = this.getHandlerByPattern(this.options.pattern);
    if (handler === null) {
      throw new Error(`no @EventPattern('${this.options.pattern}') handler is registered for ${this.options.topic}`);
    }
    const { topic, groupId } = this.options;
    this.steps.log({ topic }, 'creating the topics that are missing');
    await this.topics.ensureTopics();
    if (this.stopping !== null) {
      return;
    }
    this.consumer = this.consumers.create({ ...this.options, handle: (run, handling) => this.dispatch(handler, run, handling) });
    await this.consumer.start();
    this.steps.log({ topic, groupId }, `consuming ${topic} as group ${groupId}: each run goes to @EventPattern('${this.options.pattern}')`);
  }

  private async dispatch(handler: MessageHandler, run: readonly InboundMessage[], handling: HandlingContext): Promise<void> {
    const context = new ConsumedRunContext([run[0].topic, run[0].partition, run[0].offset, run[run.length - 1].offset, handling]);
    await lastValueFrom(this.transformToObservable(await handler(run, context)), { defaultValue: undefined });
  }
}

/**
 * Hands a handler's error on as it was thrown. Nest's default RPC filter would turn it into a generic
 * "Internal server error": the consumer tells a run abandoned at a stop (ConsumerStoppedError), which
 * it redelivers, from a failure, which crashes and restarts the consumer, by the error itself.
 */
@Catch()
export class PassThroughRpcErrors implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
