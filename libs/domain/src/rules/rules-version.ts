import type { GamificationRules } from './gamification-rules';

/** Rules that cannot replace the ones in force; the message names the field. */
export class RulesVersionError extends Error {
  constructor(candidate: number, inForce: number) {
    super(`version: ${candidate} is not higher than the version in force (${inForce}); each change of the rules needs a higher version`);
    this.name = 'RulesVersionError';
  }
}

/** Each change of the rules gets a higher version, so that every fact names the rules that decided it unambiguously. */
export function assertSupersedes(candidate: Pick<GamificationRules, 'version'>, inForce: Pick<GamificationRules, 'version'>): void {
  if (candidate.version <= inForce.version) {
    throw new RulesVersionError(candidate.version, inForce.version);
  }
}
