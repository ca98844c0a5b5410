import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { recomputeProgress, type GamificationRules, type LocalDate, type RecomputedProgress } from '@app/domain';
import {
  DailyChallengesRepository,
  OutboxRepository,
  PracticeDaysRepository,
  ProcessedEventsRepository,
  UserBadgesRepository,
  UserProfileRepository,
  type BadgeAward,
  type LockedProfile,
  type OutboxEntry,
  type PracticeDay,
  type Transaction,
  type UserTotals,
} from '@app/persistence';
import { awardOutbox } from '../award-events/award-outbox';

/** One user's recorded XP and level before a recompute, and what the recompute left them with. */
export interface UserRecomputed {
  readonly userId: string;
  readonly before: { readonly totalXp: number; readonly level: number };
  readonly after: RecomputedProgress;
}

/**
 * The source of the awards a recompute under `version` publishes: the same for every recompute of a
 * user under that version, so their eventIds are too, and a repeated recompute queues nothing new.
 */
export function recomputeSourceEventId(version: number): string {
  return `rules:v${version}`;
}

/**
 * Recomputes locked users under a rules version from their session facts and claims (contract
 * section 6: XP recomputed, badges and levels kept) and puts them on that version, in the caller's
 * transaction: profiles, practice days and badges are written, and newly reached badges and levels
 * are queued in the outbox. Challenge days stay as they were decided; their claims count as XP.
 */
@Injectable()
export class ProgressRecomputer {
  constructor(
    private readonly config: AppConfig,
    private readonly processedEvents: ProcessedEventsRepository,
    private readonly challenges: DailyChallengesRepository,
    private readonly profiles: UserProfileRepository,
    private readonly practiceDays: PracticeDaysRepository,
    private readonly badges: UserBadgesRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async recompute(
    transaction: Transaction,
    users: ReadonlyMap<string, LockedProfile>,
    rules: GamificationRules,
    now: Date,
  ): Promise<UserRecomputed[]> {
    const userIds = [...users.keys()];
    if (userIds.length === 0) {
      return [];
    }
    const sessions = await this.processedEvents.sessionsOf(transaction, userIds);
    const claimed = await this.challenges.claimedXpOf(transaction, userIds);
    const held = await this.badges.codesOf(transaction, userIds);
    const recordedDays = await this.practiceDays.ofUsers(transaction, userIds);
    const sourceEventId = recomputeSourceEventId(rules.version);
    const recomputed: UserRecomputed[] = [];
    const totals: UserTotals[] = [];
    const added: PracticeDay[] = [];
    const removed: PracticeDay[] = [];
    const awards: BadgeAward[] = [];
    const outbox: OutboxEntry[] = [];
    for (const [userId, profile] of users) {
      const after = recomputeProgress(sessions.get(userId) ?? [], claimed.get(userId) ?? [], { badges: held.get(userId) ?? new Set(), highestLevel: profile.level }, rules);
      recomputed.push({ userId, before: { totalXp: profile.totalXp, level: profile.level }, after });
      totals.push({
        userId,
        rulesVersion: rules.version,
        totals: {
          totalXp: after.totalXp,
          level: after.level,
          sessionsCompleted: after.sessionsCompleted,
          bestScore: after.bestScore,
          currentStreak: after.streak.currentStreak,
          longestStreak: after.streak.longestStreak,
          lastPracticeDate: after.streak.lastPracticeDate,
          timezone: after.timezone,
        },
      });
      const recorded: ReadonlySet<LocalDate> = recordedDays.get(userId) ?? new Set();
      const kept = new Set(after.practiceDays);
      added.push(...after.practiceDays.filter((date) => !recorded.has(date)).map((date) => ({ userId, date })));
      removed.push(...[...recorded].filter((date) => !kept.has(date)).map((date) => ({ userId, date })));
      awards.push(...after.newlyEarned.map((badge) => ({ userId, badge, sourceEventId })));
      outbox.push(
        ...awardOutbox(this.config.topics, {
          userId,
          sourceEventId,
          badges: after.newlyEarned,
          levelUp: after.levelChange && { change: after.levelChange, totalXp: after.totalXp },
          decidedAt: now,
        }),
      );
    }
    await this.profiles.storeTotals(transaction, totals, now);
    await this.practiceDays.remove(transaction, removed);
    await this.practiceDays.add(transaction, added);
    await this.badges.award(transaction, awards, now);
    await this.outbox.append(transaction, outbox);
    return recomputed;
  }
}
