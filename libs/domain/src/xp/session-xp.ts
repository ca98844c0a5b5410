import type { XpRules } from '../rules/gamification-rules';

export interface SessionMeasures {
  readonly durationSeconds: number;
  readonly score: number | null;
}

/** A session shorter than the minimum is recorded but counts for nothing. */
export function isCountedSession(session: SessionMeasures, rules: XpRules): boolean {
  return session.durationSeconds >= rules.minimumDurationSeconds;
}

export function sessionXp(session: SessionMeasures, rules: XpRules): number {
  if (!isCountedSession(session, rules)) {
    return 0;
  }
  const scoreXp = session.score === null ? 0 : Math.floor(session.score / rules.score.step) * rules.score.xpPerStep;
  const durationSteps = Math.min(Math.floor(session.durationSeconds / rules.duration.stepSeconds), rules.duration.maxSteps);
  return rules.base + scoreXp + durationSteps * rules.duration.xpPerStep;
}
