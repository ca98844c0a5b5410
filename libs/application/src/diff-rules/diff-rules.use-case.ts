import { Injectable } from '@nestjs/common';
import { assertSupersedes, recomputeProgress, RulesDiff, type RulesDiffSummary } from '@app/domain';
import { DailyChallengesRepository, ProcessedEventsRepository, UnitOfWork, UserBadgesRepository, UserProfileRepository } from '@app/persistence';
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
    private readonly processedEvents: ProcessedEventsRepository,
    private readonly badges: UserBadgesRepository,
    private readonly challenges: DailyChallengesRepository,
  ) {}

  async execute({ candidate, batchSize }: DiffRulesCommand, onProgress: (progress: DiffProgress) => void = () => undefined): Promise<RulesDiffSummary> {
    assertSupersedes(candidate, await this.rulesInForce.current());
    const diff = new RulesDiff();
    const total = await this.unitOfWork.read((statements) => this.profiles.count(statements));
    let scanned = 0;
    let after: string | null = null;
    onProgress({ scanned, total });
    for (;;) {
      const last: string | null = await this.unitOfWork.run(async (transaction) => {
        const users = await this.profiles.page(transaction, after, batchSize);
        const userIds = users.map((user) => user.userId);
        const sessions = await this.processedEvents.sessionsOf(transaction, userIds);
        const held = await this.badges.codesOf(transaction, userIds);
        const claimed = await this.challenges.claimedXpOf(transaction, userIds);
        for (const user of users) {
          const recomputed = recomputeProgress(
            sessions.get(user.userId) ?? [],
            claimed.get(user.userId) ?? [],
            { badges: held.get(user.userId) ?? new Set(), highestLevel: user.level },
            candidate,
          );
          diff.add({ before: user, after: recomputed });
        }
        scanned += users.length;
        return users.length < batchSize ? null : userIds[userIds.length - 1];
      });
      onProgress({ scanned, total: Math.max(total, scanned) });
      if (last === null) {
        return diff.summary();
      }
      after = last;
    }
  }
}
