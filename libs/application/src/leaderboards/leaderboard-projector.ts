import { Injectable, Logger } from '@nestjs/common';
import { LeaderboardRanks, LeaderboardRepository, UnitOfWork, type ChangedStandings, type StoredStanding } from '@app/persistence';

/** A projection still queued after this long was lost (its process died, or Redis was away): the boards may lack it. */
export const LOST_PROJECTION_AFTER_MS = 5_000;
const CATCH_UP_BATCH = 200;

/**
 * Carries committed standings to Redis. Every transaction that changes standings queues them
 * (leaderboard_projections); its process writes them to Redis right after the commit and releases
 * the queue row. A write that fails, or a process that dies first, leaves the row, and `catchUp`
 * (the worker's, every few seconds) writes again, read afresh from Postgres, every standing of the
 * projection's users on its boards and periods: absolute values, newest revision wins, so writing
 * twice (or writing a standing the projection did not change) is harmless.
 */
@Injectable()
export class LeaderboardProjector {
  private readonly logger = new Logger(LeaderboardProjector.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly leaderboards: LeaderboardRepository,
    private readonly ranks: LeaderboardRanks,
  ) {}

  /** After the commit of `changed`. Never throws: what does not reach Redis now is caught up later. */
  async project(changed: ChangedStandings): Promise<void> {
    if (changed.ticket === null || !this.ranks.available) {
      return;
    }
    try {
      await this.ranks.write(changed.standings);
      await this.unitOfWork.read((statements) => this.leaderboards.release(statements, [changed.ticket!]));
    } catch (error) {
      this.logger.warn(`leaderboard standings not written to Redis yet (queued as ${changed.ticket}; caught up later): ${(error as Error).message}`);
    }
  }

  /** Writes the standings of projections lost for `LOST_PROJECTION_AFTER_MS` or more; returns how many projections. */
  async catchUp(): Promise<number> {
    let caughtUp = 0;
    for (;;) {
      const queued = await this.unitOfWork.read((statements) => this.leaderboards.queuedFor(statements, LOST_PROJECTION_AFTER_MS, CATCH_UP_BATCH));
      if (queued.length === 0) {
        return caughtUp;
      }
      const standings = await this.unitOfWork.read(async (statements) => {
        const read: StoredStanding[] = [];
        for (const projection of queued) {
          read.push(...(await this.leaderboards.standingsOf(statements, projection)));
        }
        return read;
      });
      await this.ranks.write(standings);
      await this.unitOfWork.read((statements) => this.leaderboards.release(statements, queued.map((projection) => projection.ticket)));
      caughtUp += queued.length;
    }
  }
}
