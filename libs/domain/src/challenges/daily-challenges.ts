import type { ChallengeTemplate, ChallengeType } from '../rules/gamification-rules';
import type { SessionMeasures } from '../xp/session-xp';

export interface ChallengeState {
  readonly type: ChallengeType;
  readonly description: string;
  readonly target: number;
  readonly xpReward: number;
  readonly minScore: number | null;
  readonly progress: number;
  readonly isClaimed: boolean;
}

export function isChallengeCompleted(challenge: ChallengeState): boolean {
  return challenge.progress >= challenge.target;
}

/** A user's challenges for a fresh local day: one per template, nothing done yet. */
export function newDailyChallenges(templates: readonly ChallengeTemplate[]): ChallengeState[] {
  return templates.map((template) => ({
    type: template.type,
    description: template.description,
    target: template.target,
    xpReward: template.xpReward,
    minScore: template.minScore ?? null,
    progress: 0,
    isClaimed: false,
  }));
}

function contribution(challenge: ChallengeState, session: SessionMeasures): number {
  switch (challenge.type) {
    case 'COMPLETE_SESSIONS':
      return 1;
    case 'SCORE_AT_LEAST':
      return session.score !== null && session.score >= (challenge.minScore ?? 0) ? 1 : 0;
    case 'PRACTICE_MINUTES':
      return session.durationSeconds;
  }
}

/** Progress from one counted session of the challenge's day, capped at the target. */
export function advanceChallenge(challenge: ChallengeState, session: SessionMeasures): ChallengeState {
  if (challenge.isClaimed || isChallengeCompleted(challenge)) {
    return challenge;
  }
  const progress = Math.min(challenge.target, challenge.progress + contribution(challenge, session));
  return { ...challenge, progress };
}
