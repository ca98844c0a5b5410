import { Injectable } from '@nestjs/common';
import type { UserProgress } from '@app/domain';
import { PracticeDaysRepository, UserBadgesRepository, UserProfileRepository, type Transaction } from '@app/persistence';

/** What every decision about a user starts from: their recorded progress, read under their lock. */
export interface LockedProgress extends UserProgress {
  readonly longestStreak: number;
}

/** Locks users and loads their progress, in the caller's transaction; the lock lasts until it ends. */
@Injectable()
export class LockedProgressLoader {
  constructor(
    private readonly profiles: UserProfileRepository,
    private readonly practiceDays: PracticeDaysRepository,
    private readonly badges: UserBadgesRepository,
  ) {}

  /** Every user's progress by userId; the profiles are locked first, in user_id order, so that nothing deadlocks. */
  async lock(transaction: Transaction, userIds: readonly string[]): Promise<ReadonlyMap<string, LockedProgress>> {
    const profiles = await this.profiles.lock(transaction, userIds);
    const locked = [...profiles.keys()];
    const practiceDays = await this.practiceDays.ofUsers(transaction, locked);
    const badges = await this.badges.codesOf(transaction, locked);
    return new Map(
      [...profiles].map(([userId, profile]) => [
        userId,
        { ...profile, practiceDays: practiceDays.get(userId) ?? new Set(), badges: badges.get(userId) ?? new Set() },
      ]),
    );
  }

  async lockOne(transaction: Transaction, userId: string): Promise<LockedProgress> {
    const progress = await this.lock(transaction, [userId]);
    return progress.get(userId)!;
  }
}
