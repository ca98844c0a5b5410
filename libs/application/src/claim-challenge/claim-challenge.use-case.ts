import { Injectable } from '@nestjs/common';
import { ChallengeClaimDecider, LeaderboardTally, projectChallenge, type ChallengeClaimDecision } from '@app/domain';
import { DailyChallengesRepository, LeaderboardRepository, NO_CHANGE, UnitOfWork, UserProfileRepository, type ChallengeRecord, type ChangedStandings } from '@app/persistence';
import { AwardsRecorder } from '../award-events/awards.recorder';
import { Clock } from '../clock/clock';
import { ApplicationError } from '../errors/application.error';
import { allTimeStandings } from '../leaderboards/all-time-standings';
import { LeaderboardProjector } from '../leaderboards/leaderboard-projector';
import { challengeView, type ChallengeView } from '../get-profile/profile.view';
import { LockedProgressLoader } from '../user-progress/locked-progress.loader';
import type { ClaimChallengeCommand } from './claim-challenge.command';

export interface ClaimedChallenge {
  readonly challenge: ChallengeView;
  readonly xpAwarded: number;
  readonly level: number;
  readonly totalXp: number;
  readonly leveledUp: boolean;
}

type ClaimResult =
  | { readonly status: 'not-found' }
  | { readonly status: 'decided'; readonly decision: ChallengeClaimDecision; readonly challenge: ChallengeRecord; readonly standings: ChangedStandings };

@Injectable()
export class ClaimChallengeUseCase {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly challenges: DailyChallengesRepository,
    private readonly progress: LockedProgressLoader,
    private readonly profiles: UserProfileRepository,
    private readonly awards: AwardsRecorder,
    private readonly clock: Clock,
    private readonly leaderboards: LeaderboardRepository,
    private readonly projector: LeaderboardProjector,
  ) {}

  async execute({ userId, challengeId }: ClaimChallengeCommand): Promise<ClaimedChallenge> {
    const result = await this.claim(userId, challengeId, this.clock.now());
    if (result.status === 'not-found') {
      throw new ApplicationError('CHALLENGE_NOT_FOUND', 'No such challenge.');
    }
    const { decision, challenge } = result;
    await this.projector.project(result.standings);
    switch (decision.outcome) {
      case 'already-claimed':
        throw new ApplicationError('CHALLENGE_ALREADY_CLAIMED', 'This challenge has already been claimed.');
      case 'expired':
        throw new ApplicationError('CHALLENGE_EXPIRED', 'This challenge has expired.');
      case 'not-completed':
        throw new ApplicationError('CHALLENGE_NOT_COMPLETED', 'This challenge is not completed yet.');
      case 'claimed':
        return {
          challenge: challengeView(projectChallenge(challenge)),
          xpAwarded: decision.xpAwarded,
          level: decision.level,
          totalXp: decision.totalXp,
          leveledUp: decision.levelChange !== null,
        };
    }
  }

  /**
   * One transaction: the user's profile row, then the challenge row, are locked, so concurrent claims
   * of it queue and all but the first find it claimed.
   */
  private claim(userId: string, challengeId: string, now: Date): Promise<ClaimResult> {
    return this.unitOfWork.run(async (transaction) => {
      if ((await this.challenges.findOwned(transaction, challengeId, userId)) === null) {
        return { status: 'not-found' } as const;
      }
      const { rules, progress: claimant } = await this.progress.lockOne(transaction, userId, now);
      const challenge = await this.challenges.lock(transaction, challengeId);
      const decision = new ChallengeClaimDecider(rules).decide(challenge, claimant, now);
      if (decision.outcome !== 'claimed') {
        return { status: 'decided', decision, challenge, standings: NO_CHANGE } as const;
      }
      const claimed = await this.challenges.markClaimed(transaction, challengeId, now);
      const xpStanding = await this.profiles.storeXp(transaction, userId, decision, now);
      await this.awards.record(transaction, {
        userId,
        sourceEventId: `challenge:${challengeId}`,
        badges: decision.badgesAwarded,
        levelUp: decision.levelChange && { change: decision.levelChange, totalXp: decision.totalXp },
        decidedAt: now,
      });
      // A claim's XP counts toward the periods that contain the claim (contract section 9).
      const standings = new LeaderboardTally(rules).added([{ xp: decision.xpAwarded, countsAt: now, decidedAt: now }], now);
      const changed = await this.leaderboards.add(
        transaction,
        standings.map((standing) => ({ ...standing, userId })),
        allTimeStandings(rules, [xpStanding]),
      );
      return { status: 'decided', decision, challenge: claimed, standings: changed } as const;
    });
  }
}
