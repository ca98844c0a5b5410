import type { Consumer } from 'kafkajs';

// How long a stop waits for a restarted consumer to join its group before it disconnects all the same.
const RESTART_JOIN_WAIT_MS = 30_000;

/**
 * Lets a kafkajs consumer stop for good. kafkajs restarts a consumer that crashed on a retriable error
 * (a broker restarting, a rebalance) a moment later, and a `disconnect` while that restart is joining
 * its group finds nothing running and returns: the restarted consumer then outlives its owner. In a
 * worker shutting down it would fetch again after the database pool closed; in the tests it outlived
 * the test file and made Jest fail the whole run. So a crash after the stop began restarts nothing
 * (`restartOnFailure`, for the consumer's `retry`), and `disconnect` waits for a restart under way to
 * join before it disconnects.
 */
export class ConsumerRestarts {
  private stopping = false;
  private restart: Promise<void> | null = null;

  /** kafkajs's `retry.restartOnFailure`: restart a crashed consumer unless it is stopping. */
  readonly restartOnFailure = async (): Promise<boolean> => !this.stopping;

  /** Follows `consumer`'s crashes: a restart is under way until the consumer joins again, or crashes for good. */
  watch(consumer: Consumer): void {
    let restarted: (() => void) | null = null;
    const settle = () => {
      restarted?.();
      restarted = null;
      this.restart = null;
    };
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) {
        settle();
      } else if (this.restart === null) {
        this.restart = new Promise((resolve) => (restarted = resolve));
      }
    });
    consumer.on(consumer.events.GROUP_JOIN, settle);
  }

  /** Stops restarts, waits for one under way to join its group, and disconnects. */
  async disconnect(consumer: Consumer): Promise<void> {
    this.stopping = true;
    if (this.restart !== null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.restart, new Promise((resolve) => (timer = setTimeout(resolve, RESTART_JOIN_WAIT_MS)))]);
      clearTimeout(timer);
    }
    await consumer.disconnect();
  }
}
