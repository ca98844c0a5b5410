import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '@app/application';
import { AppConfig } from '@app/config';
import { OutboxRepository } from '@app/persistence';
import { WorkerMetrics } from '../observability/worker-metrics';

/** Small enough that each delete is a short transaction next to the consumer's and the relay's. */
export const RETENTION_BATCH_ROWS = 1000;
/** Retention is counted in hours: a pass a minute keeps the table within a minute of traffic of it. */
const RETENTION_INTERVAL_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Deletes outbox rows sent more than OUTBOX_RETENTION_HOURS ago, then vacuums the table, so that it
 * holds a bounded window of traffic, in rows and on disk, instead of every award ever published. Unsent rows are never deleted. Once the
 * relay published a row nothing reads it again: a redelivered session event is stopped by
 * processed_events before it could decide its awards a second time.
 */
@Injectable()
export class OutboxRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRetention.name);
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<number[]> | null = null;
  private stopping = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: WorkerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const tick = (): void => {
      this.purge().catch((error: unknown) => {
        // The rows stay where they are and the next pass takes them; nothing is lost by waiting.
        this.logger.warn(`deleting sent outbox rows failed, retrying in ${RETENTION_INTERVAL_MS} ms: ${(error as Error).message}`);
      });
    };
    this.timer = setInterval(tick, RETENTION_INTERVAL_MS);
    tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) {
      clearInterval(this.timer);
    }
    await this.pass?.catch(() => undefined);
  }

  /**
   * One pass: deletes every row sent before the cut-off, at most RETENTION_BATCH_ROWS per statement,
   * and returns the rows each statement deleted. A call while a pass runs joins that pass.
   */
  purge(): Promise<number[]> {
    this.pass ??= this.deleteExpired().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  private async deleteExpired(): Promise<number[]> {
    // One cut-off per pass, so that the pass ends even while the relay keeps marking rows sent.
    const cutoff = new Date(this.clock.now().getTime() - this.config.outbox.retentionHours * HOUR_MS);
    const batches: number[] = [];
    while (!this.stopping) {
      const deleted = await this.outbox.deleteSentBefore(cutoff, RETENTION_BATCH_ROWS);
      if (deleted > 0) {
        batches.push(deleted);
        this.metrics.countOutboxRowsDeleted(deleted);
      }
      if (deleted < RETENTION_BATCH_ROWS) {
        break;
      }
    }
    if (batches.length > 0) {
      // Without it the table's size on disk keeps growing wherever autovacuum does not come by.
      await this.outbox.reclaimSpace();
    }
    return batches;
  }
}
