import type { ChallengeType, ProfileProjection, ProjectedChallenge } from '@app/domain';
import type { ChallengeRecord } from '@app/persistence';

export interface BadgeView {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly earnedAt: string;
}

export interface ChallengeView {
  readonly id: string;
  readonly type: ChallengeType;
  readonly description: string;
  readonly progress: number;
  readonly target: number;
  readonly xpReward: number;
  readonly isCompleted: boolean;
  readonly isClaimed: boolean;
  readonly expiresAt: string;
}

/** GET /gamification/profile, as CONTRACT.md section 5 shapes it. */
export interface ProfileView extends Omit<ProfileProjection<ChallengeRecord>, 'badges' | 'challenges'> {
  readonly userId: string;
  readonly badges: readonly BadgeView[];
  readonly challenges: readonly ChallengeView[];
}

export function challengeView(challenge: ProjectedChallenge<ChallengeRecord>): ChallengeView {
  return {
    id: challenge.id,
    type: challenge.type,
    description: challenge.description,
    progress: challenge.progress,
    target: challenge.target,
    xpReward: challenge.xpReward,
    isCompleted: challenge.isCompleted,
    isClaimed: challenge.isClaimed,
    expiresAt: challenge.expiresAt.toISOString(),
  };
}

export function profileView(userId: string, profile: ProfileProjection<ChallengeRecord>): ProfileView {
  const { badges, challenges, ...totals } = profile;
  return {
    userId,
    ...totals,
    badges: badges.map((badge) => ({
      code: badge.code,
      name: badge.name,
      description: badge.description,
      earnedAt: badge.awardedAt.toISOString(),
    })),
    challenges: challenges.map(challengeView),
  };
}
