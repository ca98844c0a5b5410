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
