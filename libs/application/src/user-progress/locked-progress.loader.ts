import { Injectable } from '@nestjs/common';
import type { GamificationRules, UserProgress } from '@app/domain';
import { PracticeDaysRepository, UserBadgesRepository, UserProfileRepository, type LockedProfile, type Transaction } from '@app/persistence';
import { ProgressRecomputer } from '../recompute-progress/progress-recomputer';
import { RulesInForce } from '../rules-in-force/rules-in-force';

/** What every decision about a user starts from: their recorded progress, read under their lock. */
export interface LockedProgress extends UserProgress {
  readonly longestStreak: number;
}

/** Locked users' progress, all of it computed under `rules`: the rules the caller decides with. */
export interface LockedUsers {
  readonly rules: GamificationRules;
  readonly progress: ReadonlyMap<string, LockedProgress>;
}

/**
 * Locks users and loads their progress, in the caller's transaction; the lock lasts until it ends.
 * Every user comes back on the rules in force: one still on an older version (an apply is under
 * way) is recomputed first, so that no decision mixes two versions.
 */
@Injectable()
export class LockedProgressLoader {
  constructor(
    private readonly rulesInForce: RulesInForce,
    private readonly recomputer: ProgressRecomputer,
    private readonly profiles: UserProfileRepository,
    private readonly practiceDays: PracticeDaysRepository,
    private readonly badges: UserBadgesRepository,
  ) {}

  /** Every user's progress by userId; the profiles are locked first, in user_id order, so that nothing deadlocks. */
  async lock(transaction: Transaction, userIds: readonly string[], now: Date): Promise<LockedUsers> {
    let rules = await this.rulesInForce.read(transaction);
    const profiles = await this.profiles.lock(transaction, userIds, rules.version);
    if ([...profiles.values()].some((profile) => (profile.rulesVersion ?? 0) > rules.version)) {
      // An apply began after the first read and has moved one of these users already: its version,
      // committed before that user was, is visible to a read made now.
      rules = await this.rulesInForce.read(transaction);
    }
    const behind = new Map([...profiles].filter(([, profile]) => (profile.rulesVersion ?? 0) < rules.version));
    const recomputed = new Map(
      (await this.recomputer.recompute(transaction, behind, rules, now)).map(({ userId, after }) => [userId, after]),
    );
    const locked = [...profiles.keys()];
    const practiceDays = await this.practiceDays.ofUsers(transaction, locked);
    const badges = await this.badges.codesOf(transaction, locked);
    const progress = new Map<string, LockedProgress>();
    for (const [userId, profile] of profiles) {
      const after = recomputed.get(userId);
      const current: LockedProfile =
        after === undefined
          ? profile
          : {
              totalXp: after.totalXp,
              level: after.level,
              sessionsCompleted: after.sessionsCompleted,
              bestScore: after.bestScore,
              timezone: after.timezone ?? profile.timezone,
              longestStreak: after.streak.longestStreak,
              rulesVersion: rules.version,
            };
      progress.set(userId, { ...current, practiceDays: practiceDays.get(userId) ?? new Set(), badges: badges.get(userId) ?? new Set() });
    }
    return { rules, progress };
  }

  async lockOne(transaction: Transaction, userId: string, now: Date): Promise<{ readonly rules: GamificationRules; readonly progress: LockedProgress }> {
    const { rules, progress } = await this.lock(transaction, [userId], now);
    return { rules, progress: progress.get(userId)! };
  }
}
