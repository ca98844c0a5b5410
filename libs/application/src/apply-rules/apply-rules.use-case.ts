import { Injectable } from '@nestjs/common';
import { assertSupersedes, isBehind, RulesDiff, RulesVersionError, sameRules, type RulesDiffSummary } from '@app/domain';
import { RulesVersionsRepository, UnitOfWork, UserProfileRepository } from '@app/persistence';
import { Clock } from '../clock/clock';
import { ProgressRecomputer, type UserRecomputed } from '../recompute-progress/progress.recomputer';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import type { ApplyRulesCommand } from './apply-rules.command';

export interface ApplyProgress {
  readonly done: number;
  readonly total: number;
}

export type ApplyRulesResult =
  | { readonly status: 'already-in-force'; readonly version: number }
  | {
      readonly status: 'applied';
      readonly fromVersion: number;
      readonly toVersion: number;
      /** True when an earlier apply of the same rules was interrupted and this one finished it. */
      readonly resumed: boolean;
      /** What this run changed, over the users it recomputed (a resumed run counts only its own). */
      readonly summary: RulesDiffSummary;
      /** badge.awarded and level.up events queued in the outbox by this run. */
      readonly awardEvents: number;
    };

type Start =
  | { readonly status: 'already-in-force' }
  | { readonly status: 'started'; readonly fromVersion: number; readonly resumed: boolean };

/**
 * Makes new rules the rules in force. The new version is recorded first, and from that commit it
 * decides every new event: a user still on the old version is recomputed before anything else is
 * decided for them (LockedProgressLoader). This walks every user still behind, in batches in
 * user_id order, each batch locked and recomputed in one transaction, then marks the version
 * complete. A kill leaves each user wholly on one version; running it again finishes the rest, and
 * once complete it changes and publishes nothing.
 */
@Injectable()
export class ApplyRulesUseCase {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly rulesInForce: RulesInForce,
    private readonly versions: RulesVersionsRepository,
    private readonly profiles: UserProfileRepository,
    private readonly recomputer: ProgressRecomputer,
    private readonly clock: Clock,
  ) {}

  async execute(command: ApplyRulesCommand, onProgress: (progress: ApplyProgress) => void = () => undefined): Promise<ApplyRulesResult> {
    const start = await this.start(command);
    if (start.status === 'already-in-force') {
      return { status: 'already-in-force', version: command.candidate.version };
    }
    const { candidate, batchSize } = command;
    const diff = new RulesDiff();
    let awardEvents = 0;
    const total = await this.unitOfWork.read((statements) => this.profiles.countBehind(statements, candidate.version));
    let done = 0;
    let after: string | null = null;
    onProgress({ done, total });
    for (;;) {
      const batch: { readonly last: string; readonly users: number; readonly recomputed: UserRecomputed[] } | null = await this.unitOfWork.run(async (transaction) => {
        const userIds = await this.profiles.pageBehind(transaction, after, candidate.version, batchSize);
        if (userIds.length === 0) {
          return null;
        }
        const { profiles: locked } = await this.profiles.lock(transaction, userIds);
        // The worker may have recomputed some of them between the page and the lock.
        const behind = new Map([...locked].filter(([, profile]) => isBehind(profile.rulesVersion, candidate.version)));
        const recomputed = await this.recomputer.recompute(transaction, behind, candidate, this.clock.now());
        await this.versions.countRecomputed(transaction, candidate.version, recomputed.length);
        return { last: userIds[userIds.length - 1], users: userIds.length, recomputed };
      });
      if (batch === null) {
        break;
      }
      for (const user of batch.recomputed) {
        diff.add(user);
        awardEvents += user.after.newlyEarned.length + (user.after.levelChange === null ? 0 : 1);
      }
      done += batch.users;
      onProgress({ done, total: Math.max(total, done) });
      after = batch.last;
    }
    await this.unitOfWork.run((transaction) => this.versions.complete(transaction, candidate.version, this.clock.now()));
    return { status: 'applied', fromVersion: start.fromVersion, toVersion: candidate.version, resumed: start.resumed, summary: diff.summary(), awardEvents };
  }

  /** Records the new version, or finds the interrupted apply of the same rules to finish. */
  private start({ candidate, source, appliedBy }: ApplyRulesCommand): Promise<Start> {
    return this.unitOfWork.run(async (transaction) => {
      // Waits for the decisions in flight: once this commits, every decision reads the new version.
      await this.rulesInForce.recordFirst(transaction);
      const newest = await this.rulesInForce.newestIn(transaction);
      const record = (await this.versions.find(transaction, newest.version))!;
      if (newest.version === candidate.version) {
        if (!sameRules(newest, candidate)) {
          throw new RulesVersionError([
            `version: ${candidate.version} was applied on ${record.startedAt.toISOString()} by ${record.appliedBy} from ${record.source} with other rules; give these rules a higher version`,
          ]);
        }
        if (record.completedAt !== null) {
          return { status: 'already-in-force' };
        }
        const previous = (await this.versions.history(transaction)).find((version) => version.version < candidate.version);
        return { status: 'started', fromVersion: previous?.version ?? candidate.version, resumed: true };
      }
      if (record.completedAt === null) {
        throw new RulesVersionError([
          `version: ${newest.version} is still being applied (started ${record.startedAt.toISOString()} by ${record.appliedBy}); finish it first: npm run rules -- apply ${record.source}`,
        ]);
      }
      assertSupersedes(candidate, newest);
      await this.versions.begin(transaction, { version: candidate.version, rules: candidate, source, appliedBy }, this.clock.now());
      return { status: 'started', fromVersion: newest.version, resumed: false };
    });
  }
}
