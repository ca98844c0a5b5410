import { Injectable } from '@nestjs/common';
import { assertSupersedes, RulesDiff, type RulesDiffSummary } from '@app/domain';
import { UnitOfWork, UserProfileRepository } from '@app/persistence';
import { ProgressRecomputer } from '../recompute-progress/progress.recomputer';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import type { DiffRulesCommand } from './diff-rules.command';

export interface DiffProgress {
  readonly scanned: number;
  readonly total: number;
}

/**
 * Recomputes every user under candidate rules from their session facts and claims, in batches of
 * users read in user_id order, and adds up what would change. Reads only: nothing is written.
 */
@Injectable()
export class DiffRulesUseCase {
  constructor(
    private readonly rulesInForce: RulesInForce,
    private readonly unitOfWork: UnitOfWork,
    private readonly profiles: UserProfileRepository,
    private readonly recomputer: ProgressRecomputer,
  ) {}

  async execute({ candidate, batchSize }: DiffRulesCommand, onProgress: (progress: DiffProgress) => void = () => undefined): Promise<RulesDiffSummary> {
    assertSupersedes(candidate, await this.rulesInForce.current());
    const diff = new RulesDiff();
    const total = await this.unitOfWork.read((statements) => this.profiles.count(statements));
    let scanned = 0;
    let after: string | null = null;
    onProgress({ scanned, total });
    for (;;) {
      // One transaction a batch, so that a user's facts, claims and badges are read as of one moment.
      const last: string | null = await this.unitOfWork.run(async (transaction) => {
        const users = await this.profiles.page(transaction, after, batchSize);
        for (const user of await this.recomputer.preview(transaction, users, candidate)) {
          diff.add(user);
        }
        scanned += users.length;
        return users.length < batchSize ? null : users[users.length - 1].userId;
      });
      onProgress({ scanned, total: Math.max(total, scanned) });
      if (last === null) {
        return diff.summary();
      }
      after = last;
    }
  }
}
