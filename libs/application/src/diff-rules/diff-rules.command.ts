import type { GamificationRules } from '@app/domain';

/** A dry run of other rules over every user: what `apply` would change, changing nothing. */
export class DiffRulesCommand {
  constructor(
    readonly candidate: GamificationRules,
    /** Users recomputed per read transaction. */
    readonly batchSize = 1000,
  ) {}
}
