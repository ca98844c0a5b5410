import { loadRulesFile } from '@app/config';
import { ChallengeClaimDecider, type ClaimableChallenge, type ClaimantProgress } from './challenge-claim.decider';

const decider = new ChallengeClaimDecider(loadRulesFile('config/rules.yaml'));
const now = new Date('2026-11-25T18:00:00Z');
const completed: ClaimableChallenge = {
  type: 'COMPLETE_SESSIONS',
  description: 'Complete 2 practice sessions today',
  target: 2,
  xpReward: 100,
  minScore: null,
  progress: 2,
  isClaimed: false,
  expiresAt: new Date('2026-11-25T23:00:00Z'),
};
const claimant: ClaimantProgress = {
  totalXp: 180,
  level: 2,
  sessionsCompleted: 2,
  longestStreak: 1,
  bestScore: 70,
  badges: new Set(['FIRST_STEPS']),
  skillXp: { communication: 180 },
};

describe('ChallengeClaimDecider', () => {
  it('adds the reward to the XP of a completed challenge', () => {
    expect(decider.decide(completed, claimant, now)).toEqual({
      outcome: 'claimed',
      xpAwarded: 100,
      totalXp: 280,
      level: 2,
      levelChange: null,
      badgesAwarded: [],
    });
  });

  it('levels up, and awards a level badge, when the reward crosses levels', () => {
    const decision = decider.decide({ ...completed, xpReward: 500 }, { ...claimant, totalXp: 950, level: 4 }, now);
    expect(decision).toMatchObject({ outcome: 'claimed', totalXp: 1450, level: 5, levelChange: { previousLevel: 4, newLevel: 5 } });
    expect(decision.outcome === 'claimed' && decision.badgesAwarded.map((badge) => badge.code)).toEqual(['LEVEL_5']);
  });

  it('refuses a challenge that is not completed yet', () => {
    expect(decider.decide({ ...completed, progress: 1 }, claimant, now)).toEqual({ outcome: 'not-completed' });
  });

  it('refuses a challenge claimed before', () => {
    expect(decider.decide({ ...completed, isClaimed: true }, claimant, now)).toEqual({ outcome: 'already-claimed' });
  });

  it('refuses a challenge whose day has ended, from its expiry instant on', () => {
    expect(decider.decide(completed, claimant, completed.expiresAt)).toEqual({ outcome: 'expired' });
    expect(decider.decide({ ...completed, progress: 0 }, claimant, new Date('2026-11-26T09:00:00Z'))).toEqual({
      outcome: 'expired',
    });
  });
});
