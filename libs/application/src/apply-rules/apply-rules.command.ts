import type { GamificationRules } from '@app/domain';

/** Recompute every user under new rules and make them the rules in force. */
export class ApplyRulesCommand {
  constructor(
    readonly candidate: GamificationRules,
    /** The file the rules were read from, kept in the history. */
    readonly source: string,
    /** Who applies them, kept in the history. */
    readonly appliedBy: string,
    /** Users recomputed per transaction (and locked for its length). */
    readonly batchSize = 500,
  ) {}
}
