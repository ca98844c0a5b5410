import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { FinishLeaderboardPeriodsUseCase, LeaderboardProjector, LOST_PROJECTION_AFTER_MS, type FinishedPeriod } from '@app/application';
import { AppConfig } from '@app/config';

/**
 * The worker's clock-driven leaderboard work. Every LEADERBOARD_SWEEP_INTERVAL_MS (and at start) it
 * announces the periods that became final (leaderboard.finished); every few seconds it writes to
 * Redis the standings whose projection was lost (a process that died between its commit and Redis,
 * or Redis away). A pass that fails changed nothing that the next one does not do.
 */
@Injectable()
export class LeaderboardSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LeaderboardSweeper.name);
  private readonly timers: NodeJS.Timeout[] = [];
  private finals: Promise<FinishedPeriod[]> | null = null;
  private catchUp: Promise<number> | null = null;

  constructor(
    private readonly finishPeriods: FinishLeaderboardPeriodsUseCase,
    private readonly projector: LeaderboardProjector,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const finals = (): void => {
      this.announceFinals().catch((error: unknown) => {
        this.logger.warn(`the leaderboard finals sweep failed, retrying in ${this.config.leaderboardSweep.intervalMs} ms: ${(error as Error).message}`);
      });
    };
    const catchUp = (): void => {
      this.catchUpProjections().catch((error: unknown) => {
        this.logger.warn(`catching up leaderboard projections failed, retrying in ${LOST_PROJECTION_AFTER_MS} ms: ${(error as Error).message}`);
      });
    };
    this.timers.push(setInterval(finals, this.config.leaderboardSweep.intervalMs), setInterval(catchUp, LOST_PROJECTION_AFTER_MS));
    finals();
    catchUp();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.timers.forEach(clearInterval);
    await Promise.all([this.finals?.catch(() => undefined), this.catchUp?.catch(() => undefined)]);
  }

  /** One finals sweep; a call while one runs joins it. */
  announceFinals(): Promise<FinishedPeriod[]> {
    this.finals ??= this.finishPeriods
      .execute()
      .then((finished) => {
        for (const { code, periodKey, participants } of finished) {
          this.logger.log({ code, periodKey, participants }, `leaderboard ${code} ${periodKey} is final`);
        }
        return finished;
      })
      .finally(() => {
        this.finals = null;
      });
    return this.finals;
  }

  /** One catch-up pass; a call while one runs joins it. */
  catchUpProjections(): Promise<number> {
    this.catchUp ??= this.projector
      .catchUp()
      .then((projections) => {
        if (projections > 0) {
          this.logger.log({ projections }, `wrote ${projections} lost leaderboard projections to Redis`);
        }
        return projections;
      })
      .finally(() => {
        this.catchUp = null;
      });
    return this.catchUp;
  }
}
