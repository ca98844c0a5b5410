import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SweepStreakNoticesUseCase, type StreakSweepResult } from '@app/application';
import { AppConfig } from '@app/config';
import { WorkerMetrics } from '../observability/worker-metrics';

/**
 * Runs the streak sweep at start and then every STREAK_SWEEP_INTERVAL_MS: the engine speaks at a
 * user's reminder time and when their day ends, not only when an event arrives. A sweep that fails
 * (the database restarting) changed nothing; the next one does its work.
 */
@Injectable()
export class StreakSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreakSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<StreakSweepResult> | null = null;

  constructor(
    private readonly sweepUseCase: SweepStreakNoticesUseCase,
    private readonly config: AppConfig,
    private readonly metrics: WorkerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const tick = (): void => {
      this.sweep().catch((error: unknown) => {
        this.logger.warn(`the streak sweep failed, retrying in ${this.config.streakSweep.intervalMs} ms: ${(error as Error).message}`);
      });
    };
    this.timer = setInterval(tick, this.config.streakSweep.intervalMs);
    tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer !== null) {
      clearInterval(this.timer);
    }
    await this.pass?.catch(() => undefined);
  }

  /** One sweep; a call while one runs joins it. */
  sweep(): Promise<StreakSweepResult> {
    this.pass ??= this.run().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  private async run(): Promise<StreakSweepResult> {
    const started = process.hrtime.bigint();
    const result = await this.sweepUseCase.execute();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.swept) {
      this.metrics.observeStreakSweep(seconds, result.notices);
    }
    const queued = Object.values(result.notices).reduce((sum, count) => sum + count, 0);
    if (queued > 0) {
      this.logger.log({ users: result.users, ...result.notices, seconds: Number(seconds.toFixed(3)) }, `streak sweep queued ${queued} notices`);
    }
    return result;
  }
}
