import { badgeStats, newlyEarnedBadges } from '../badges/badge-rules';
import { isChallengeCompleted, type ChallengeState } from '../challenges/daily-challenges';
import { LevelCurve, type LevelChange } from '../levels/level-curve';
import type { BadgeDefinition, GamificationRules } from '../rules/gamification-rules';
import type { SkillXp } from '../skills/skill-xp';

/** What a claim needs to know of the user: the XP totals and what level badges depend on. */
export interface ClaimantProgress {
  readonly totalXp: number;
  readonly level: number;
  readonly sessionsCompleted: number;
  readonly longestStreak: number;
  readonly bestScore: number | null;
  readonly badges: ReadonlySet<string>;
  readonly skillXp: SkillXp;
}

export interface ClaimableChallenge extends ChallengeState {
  readonly expiresAt: Date;
}

export type ChallengeClaimDecision =
  | { readonly outcome: 'already-claimed' | 'expired' | 'not-completed' }
  | {
      readonly outcome: 'claimed';
      readonly xpAwarded: number;
      readonly totalXp: number;
      readonly level: number;
      readonly levelChange: LevelChange | null;
      readonly badgesAwarded: readonly BadgeDefinition[];
    };

/** Decides a claim: a completed, unexpired, unclaimed challenge adds its XP once, possibly levelling up. */
export class ChallengeClaimDecider {
  private readonly levels: LevelCurve;

  constructor(private readonly rules: GamificationRules) {
    this.levels = new LevelCurve(rules.levels);
  }

  decide(challenge: ClaimableChallenge, progress: ClaimantProgress, now: Date): ChallengeClaimDecision {
    if (challenge.isClaimed) {
      return { outcome: 'already-claimed' };
    }
    if (now.getTime() >= challenge.expiresAt.getTime()) {
      return { outcome: 'expired' };
    }
    if (!isChallengeCompleted(challenge)) {
      return { outcome: 'not-completed' };
    }
    const totalXp = progress.totalXp + challenge.xpReward;
    const levelChange = this.levels.changeFrom(progress.level, totalXp);
    const level = levelChange?.newLevel ?? progress.level;
    const badgesAwarded = newlyEarnedBadges(this.rules.badges, badgeStats({ ...progress, level }, this.rules.skillMastery), progress.badges);
    return { outcome: 'claimed', xpAwarded: challenge.xpReward, totalXp, level, levelChange, badgesAwarded };
  }
}
