import type { Consumer, ConsumerRunConfig } from 'kafkajs';

/**
 * Restarts a kafkajs consumer after a crash on a retriable error (a broker restarting, a rebalance),
 * the way kafkajs would, except that a stop ends it for good. kafkajs's own restart cannot be
 * stopped safely: a `disconnect` while the restarted consumer is joining its group stops nothing, and
 * the consumer then fetches on, untracked. In a worker shutting down it would fetch after the
 * database pool closed; in the tests it outlived its test file and made Jest fail the whole run. So
 * kafkajs is told never to restart (`restartOnFailure`, which it asks only about retriable crashes),
 * and this class restarts the consumer itself, after the error's retry time as kafkajs would, with
 * `consumer.run` again: a stop cancels a restart not begun, and waits for one under way to have
 * started its consumer (or failed), which the disconnect then stops. That wait is not bounded here:
 * a join answers within the group's rebalance timeout, and the worker bounds its whole shutdown.
 */
export class ConsumerRestarts {
  private consumer: Consumer | null = null;
  private config: ConsumerRunConfig = {};
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  // A restart's `consumer.run`: it settles once the consumer runs again, or has crashed again.
  private restart: Promise<void> | null = null;

  /**
   * `fallbackDelayMs`: how long after a crash whose error names no retry time the consumer is
   * restarted (kafkajs's `retry.initialRetryTime`). `onRestartFailed`: a restart that failed without
   * a crash (kafkajs could not even disconnect the crashed consumer); the consumer is down for good.
   */
  constructor(
    private readonly fallbackDelayMs: number,
    private readonly onRestartFailed: (error: Error) => void,
  ) {}

  /** kafkajs's `retry.restartOnFailure`: schedules this class's restart (unless stopping), and declines kafkajs's. */
  readonly restartOnFailure = async (error: Error): Promise<boolean> => {
    if (!this.stopping && this.consumer !== null) {
      const consumer = this.consumer;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.restart = consumer
          .run(this.config)
          .catch((failure: Error) => this.onRestartFailed(failure))
          .finally(() => (this.restart = null));
      }, (error as Error & { retryTime?: number }).retryTime || this.fallbackDelayMs);
    }
    return false;
  };

  /**
   * Whether a crash (kafkajs's CRASH event, which says `restart: false` for every crash now) ends the
   * consumer for good: a crash on an error that is not retriable, which no restart follows, outside a stop.
   */
  isFatal(): boolean {
    return this.timer === null && !this.stopping;
  }

  /** Runs the consumer; a restart runs it again with the same config. */
  async run(consumer: Consumer, config: ConsumerRunConfig): Promise<void> {
    this.consumer = consumer;
    this.config = config;
    await consumer.run(config);
  }

  /** Cancels a restart not begun, waits for one under way to have started (or failed), and disconnects. */
  async disconnect(consumer: Consumer): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.restart;
    await consumer.disconnect();
  }
}
