import { Injectable } from '@nestjs/common';
import { isBehind, type GamificationRules, type StreakWatch, type UserProgress } from '@app/domain';
import { PracticeDaysRepository, UserBadgesRepository, UserProfileRepository, type Transaction } from '@app/persistence';
import { ProgressRecomputer } from '../recompute-progress/progress.recomputer';
import { RulesInForce } from '../rules-in-force/rules-in-force';

/** What every decision about a user starts from: their recorded progress, read under their lock. */
export interface LockedProgress extends UserProgress {
  readonly longestStreak: number;
  /** The streak as recorded, with how far its notices have gone. */
  readonly streakWatch: StreakWatch;
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
    const { rulesVersion, profiles } = await this.profiles.lock(transaction, userIds);
    const rules = await this.rulesInForce.rulesOf(transaction, rulesVersion);
    const behind = new Map([...profiles].filter(([, profile]) => isBehind(profile.rulesVersion, rules.version)));
    const recomputed = new Map((await this.recomputer.recompute(transaction, behind, rules, now)).map(({ userId, profile }) => [userId, profile]));
    const locked = [...profiles.keys()];
    const practiceDays = await this.practiceDays.ofUsers(transaction, locked);
    const badges = await this.badges.codesOf(transaction, locked);
    const progress = new Map<string, LockedProgress>(
      [...profiles].map(([userId, profile]) => [
        userId,
        { ...(recomputed.get(userId) ?? profile), practiceDays: practiceDays.get(userId) ?? new Set(), badges: badges.get(userId) ?? new Set() },
      ]),
    );
    return { rules, progress };
  }

  async lockOne(transaction: Transaction, userId: string, now: Date): Promise<{ readonly rules: GamificationRules; readonly progress: LockedProgress }> {
    const { rules, progress } = await this.lock(transaction, [userId], now);
    return { rules, progress: progress.get(userId)! };
  }
}
