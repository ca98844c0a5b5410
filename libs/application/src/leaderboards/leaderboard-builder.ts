import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { LeaderboardRanks, LeaderboardRepository, UnitOfWork } from '@app/persistence';

const PAGE_SIZE = 5_000;
// A build renews its claim with every page; a process that dies mid-build lets another take over after this.
const BUILD_LEASE_MS = 30_000;

export type BuildResult =
  | { readonly status: 'built'; readonly standings: number }
  | { readonly status: 'busy' }
  /** Redis lost the board during the build (flushed, restarted): it stays unbuilt, and the next reader asks again. */
  | { readonly status: 'interrupted' };

/**
 * Builds a board in Redis from Postgres: when it is missing (Redis restarted or flushed), on demand,
 * or by `npm run leaderboards:rebuild`. One process at a time builds a board (a claim in Redis that
 * expires), so a crowd of readers who find it missing starts one build, not one each; they are
 * answered from Postgres meanwhile. The board is emptied, filled from one snapshot of Postgres, and
 * marked built if the lease survived (a flush or restart meanwhile takes it); standings committed during the build reach it through their own projections, and
 * newest-revision-wins makes the order of the two irrelevant.
 */
@Injectable()
export class LeaderboardBuilder {
  private readonly logger = new Logger(LeaderboardBuilder.name);
  private readonly inProgress = new Map<string, Promise<BuildResult>>();

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly leaderboards: LeaderboardRepository,
    private readonly ranks: LeaderboardRanks,
  ) {}

  /** Starts a build in the background unless one is under way; a failure is logged, and the next reader asks again. */
  request(code: string, periodKey: string, keptUntil: Date | null): void {
    this.build(code, periodKey, keptUntil).catch((error: unknown) => {
      this.logger.warn(`building leaderboard ${code} ${periodKey} failed; it is read from Postgres until a build succeeds: ${(error as Error).message}`);
    });
  }

  /**
   * Builds a board, kept in Redis until `keptUntil` (see `boardKeptUntil`; null: for good); `onProgress`
   * hears the standings written so far. A call while this process builds it joins that build.
   */
  build(code: string, periodKey: string, keptUntil: Date | null, onProgress?: (written: number) => void): Promise<BuildResult> {
    const key = `${code}:${periodKey}`;
    let build = this.inProgress.get(key);
    if (build === undefined) {
      build = this.run(code, periodKey, keptUntil, onProgress).finally(() => this.inProgress.delete(key));
      this.inProgress.set(key, build);
    }
    return build;
  }

  private async run(code: string, periodKey: string, keptUntil: Date | null, onProgress?: (written: number) => void): Promise<BuildResult> {
    const owner = randomUUID();
    if (!(await this.ranks.claimBuild(code, periodKey, owner, BUILD_LEASE_MS))) {
      return { status: 'busy' };
    }
    try {
      const started = Date.now();
      await this.ranks.clear(code, periodKey);
      let written = 0;
      await this.unitOfWork.run((transaction) =>
        this.leaderboards.scan(transaction, code, periodKey, PAGE_SIZE, async (standings) => {
          await this.ranks.write(standings);
          await this.ranks.renewBuild(code, periodKey, BUILD_LEASE_MS);
          written += standings.length;
          onProgress?.(written);
        }),
      );
      if (!(await this.ranks.markBuilt(code, periodKey, owner, keptUntil))) {
        this.logger.warn({ code, periodKey }, `building leaderboard ${code} ${periodKey} was interrupted (Redis lost it meanwhile); it stays read from Postgres`);
        return { status: 'interrupted' };
      }
      this.logger.log({ code, periodKey, standings: written, ms: Date.now() - started }, `built leaderboard ${code} ${periodKey} from Postgres`);
      return { status: 'built', standings: written };
    } finally {
      await this.ranks.releaseBuild(code, periodKey);
    }
  }
}
