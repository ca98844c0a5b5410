import { isDeepStrictEqual } from 'node:util';
import type { GamificationRules } from './gamification-rules';

/** Rules that cannot replace the ones in force; each problem names its field. */
export class RulesVersionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'RulesVersionError';
  }
}

/**
 * What a new version must keep of the one in force: a higher version, so that every fact names the
 * rules that decided it unambiguously; and every badge, since a badge once awarded is never taken
 * back (contract section 6) and its holders still need its name and rule.
 */
export function assertSupersedes(candidate: Pick<GamificationRules, 'version' | 'badges'>, inForce: Pick<GamificationRules, 'version' | 'badges'>): void {
  const problems: string[] = [];
  if (candidate.version <= inForce.version) {
    problems.push(`version: ${candidate.version} is not higher than the version in force (${inForce.version}); each change of the rules needs a higher version`);
  }
  const codes = new Set(candidate.badges.map((badge) => badge.code));
  for (const badge of inForce.badges.filter(({ code }) => !codes.has(code))) {
    problems.push(
      `badges: ${badge.code} is in force (version ${inForce.version}) and missing here; a badge once awarded is never taken back, so keep its entry (its name, description and rule may change)`,
    );
  }
  if (problems.length > 0) {
    throw new RulesVersionError(problems);
  }
}

/** Whether two rules say the same, field by field whatever the key order: a version applied again must be the same rules. */
export function sameRules(a: GamificationRules, b: GamificationRules): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

/** A user's state must be recomputed before `version` decides for them: it was computed under a lower one, or under none (a row from older code). */
export function isBehind(userVersion: number | null, version: number): boolean {
  return (userVersion ?? 0) < version;
}
