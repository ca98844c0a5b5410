import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, GAMIFICATION_RULES } from '@app/config';
import { ChallengeClaimDecider, type GamificationRules } from '@app/domain';
import { UserProgressRepository } from '@app/persistence';
import { awardOutbox } from '../award-events/award-outbox';
import { Clock } from '../clock/clock';
import { ApplicationError } from '../errors/application.error';
import { challengeView, type ChallengeView } from '../get-profile/profile.view';
import type { ClaimChallengeCommand } from './claim-challenge.command';

export interface ClaimedChallenge {
  readonly challenge: ChallengeView;
  readonly xpAwarded: number;
  readonly level: number;
  readonly totalXp: number;
  readonly leveledUp: boolean;
}

@Injectable()
export class ClaimChallengeUseCase {
  private readonly decider: ChallengeClaimDecider;

  constructor(
    @Inject(GAMIFICATION_RULES) rules: GamificationRules,
    private readonly config: AppConfig,
    private readonly progress: UserProgressRepository,
    private readonly clock: Clock,
  ) {
    this.decider = new ChallengeClaimDecider(rules);
  }

  async execute({ userId, challengeId }: ClaimChallengeCommand): Promise<ClaimedChallenge> {
    const now = this.clock.now();
    const result = await this.progress.claimChallenge(userId, challengeId, now, (challenge, claimant) => {
      const decision = this.decider.decide(challenge, claimant, now);
      const outbox =
        decision.outcome === 'claimed'
          ? awardOutbox(this.config.topics, {
              userId,
              sourceEventId: `challenge:${challengeId}`,
              badges: decision.badgesAwarded,
              levelUp: decision.levelChange && { change: decision.levelChange, totalXp: decision.totalXp },
              decidedAt: now,
            })
          : [];
      return { decision, outbox };
    });
    if (result.status === 'not-found') {
      throw new ApplicationError('CHALLENGE_NOT_FOUND', 'No such challenge.');
    }
    const { decision, challenge } = result;
    switch (decision.outcome) {
      case 'already-claimed':
        throw new ApplicationError('CHALLENGE_ALREADY_CLAIMED', 'This challenge has already been claimed.');
      case 'expired':
        throw new ApplicationError('CHALLENGE_EXPIRED', 'This challenge has expired.');
      case 'not-completed':
        throw new ApplicationError('CHALLENGE_NOT_COMPLETED', 'This challenge is not completed yet.');
      case 'claimed':
        return {
          challenge: challengeView(challenge),
          xpAwarded: decision.xpAwarded,
          level: decision.level,
          totalXp: decision.totalXp,
          leveledUp: decision.levelChange !== null,
        };
    }
  }
}
