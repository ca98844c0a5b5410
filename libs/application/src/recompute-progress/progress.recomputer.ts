import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import {
  ALL_TIME_KEY,
  LeaderboardTally,
  recomputeProgress,
  StreakNotifier,
  type GamificationRules,
  type LeaderboardXp,
  type LocalDate,
  type RecomputedProgress,
  type StreakNotice,
} from '@app/domain';
import {
  DailyChallengesRepository,
  LeaderboardRepository,
  OutboxRepository,
  PracticeDaysRepository,
  ProcessedEventsRepository,
  UserBadgesRepository,
  UserProfileRepository,
  type LockedProfile,
  type PracticeDay,
  type UserStanding,
  type RecordedXp,
  type StreakNoticeState,
  type Statements,
  type Transaction,
} from '@app/persistence';
import { AwardsRecorder } from '../award-events/awards.recorder';
import { allTimeStandings } from '../leaderboards/all-time-standings';
import { streakNoticeOutbox } from '../sweep-streak-notices/streak-notice-outbox';

/** One user's recorded XP and level before a recompute, and what the recompute gives them. */
export interface UserRecomputed {
  readonly userId: string;
  readonly before: { readonly totalXp: number; readonly level: number };
  readonly after: RecomputedProgress;
}

/** A user recomputed and stored: the profile as it now is. */
export interface UserRecomputedAndStored extends UserRecomputed {
  readonly profile: LockedProfile;
}

/**
 * The source of the awards a recompute under `version` publishes: the same for every recompute of a
 * user under that version, so their eventIds are too, and a repeated recompute queues nothing new.
 */
export function recomputeSourceEventId(version: number): string {
  return `rules:v${version}`;
}

/**
 * Recomputes users under a rules version from their session facts and claims (contract section 6:
 * XP recomputed, badges and levels kept). `preview` only reads; `recompute` also stores the result
 * and puts the users on that version, in the caller's transaction: profiles, practice days, badges
 * and the session facts' outcomes (their XP under these rules) are written, and newly reached
 * badges and levels are queued in the outbox, with the streak notices owed when the user was met.
 * The zone last seen stays as recorded, and challenge days stay as they were decided; their claims
 * count as XP.
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
    private readonly awards: AwardsRecorder,
    private readonly leaderboards: LeaderboardRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** What `rules` give each user, against the XP and level (the highest reached) recorded. */
  async preview(statements: Statements, users: readonly RecordedXp[], rules: GamificationRules): Promise<UserRecomputed[]> {
    const userIds = users.map((user) => user.userId);
    if (userIds.length === 0) {
      return [];
    }
    const sessions = await this.processedEvents.sessionsOf(statements, userIds);
    const claimed = await this.challenges.claimedXpOf(statements, userIds);
    const held = await this.badges.codesOf(statements, userIds);
    return users.map(({ userId, totalXp, level }) => ({
      userId,
      before: { totalXp, level },
      after: recomputeProgress(sessions.get(userId) ?? [], claimed.get(userId) ?? [], { badges: held.get(userId) ?? new Set(), highestLevel: level }, rules),
    }));
  }

  /** Recomputes locked users under `rules` and stores them on that version. */
  async recompute(transaction: Transaction, users: ReadonlyMap<string, LockedProfile>, rules: GamificationRules, now: Date): Promise<UserRecomputedAndStored[]> {
    const recomputed = await this.preview(
      transaction,
      [...users].map(([userId, { totalXp, level }]) => ({ userId, totalXp, level })),
      rules,
    );
    if (recomputed.length === 0) {
      return [];
    }
    const recordedDays = await this.practiceDays.ofUsers(transaction, [...users.keys()]);
    const added: PracticeDay[] = [];
    const removed: PracticeDay[] = [];
    const notifier = new StreakNotifier(rules.streakReminderLocalTime);
    const streakNotices: Array<{ userId: string; notice: StreakNotice }> = [];
    const stored = recomputed.map((user): UserRecomputedAndStored & { readonly notices: StreakNoticeState } => {
      const { userId, after } = user;
      const before = users.get(userId)!;
      // The streak may change under the new rules (freezes): the past is restated, not announced,
      // after the day ends owed under the streak as it was.
      const { zone } = before.streakWatch;
      const settled = notifier.restate(before.streakWatch, { summary: after.streak, zone }, now);
      streakNotices.push(...settled.notices.map((notice) => ({ userId, notice })));
      const recorded: ReadonlySet<LocalDate> = recordedDays.get(userId) ?? new Set();
      const kept = new Set(after.practiceDays);
      added.push(...after.practiceDays.filter((date) => !recorded.has(date)).map((date) => ({ userId, date })));
      removed.push(...[...recorded].filter((date) => !kept.has(date)).map((date) => ({ userId, date })));
      const profile: LockedProfile = {
        totalXp: after.totalXp,
        level: after.level,
        sessionsCompleted: after.sessionsCompleted,
        bestScore: after.bestScore,
        timezone: before.timezone,
        longestStreak: after.streak.longestStreak,
        skillXp: after.skillXp,
        rulesVersion: rules.version,
        streakWatch: { summary: after.streak, zone, cursor: settled.cursor },
      };
      return { ...user, profile, notices: { cursor: settled.cursor, dueAt: settled.nextDueAt } };
    });
    const standings = await this.standings(transaction, recomputed, rules, now);
    // The all-time standing is the profile's: its time folded again, or now for a user left with no XP.
    const reachedAllTime = new Map(standings.filter(({ periodKey }) => periodKey === ALL_TIME_KEY).map(({ userId, reachedAt }) => [userId, reachedAt]));
    const allTimeBoard = rules.leaderboards.some((board) => board.period === 'all');
    const xpStandings = await this.profiles.storeTotals(
      transaction,
      stored.map(({ userId, after, profile, notices }) => ({
        userId,
        xpReachedAt: allTimeBoard ? (reachedAllTime.get(userId) ?? now) : null,
        rulesVersion: rules.version,
        totals: {
          ...profile,
          currentStreak: after.streak.currentStreak,
          lastPracticeDate: after.streak.lastPracticeDate,
          freezesHeld: after.streak.freezesHeld,
          frozenDays: after.streak.frozenDays,
          timezone: null,
        },
        notices,
      })),
      now,
    );
    await this.leaderboards.restate(transaction, standings, allTimeStandings(rules, xpStandings));
    await this.practiceDays.remove(transaction, removed);
    await this.practiceDays.add(transaction, added);
    await this.processedEvents.restateOutcomes(transaction, stored.flatMap(({ after }) => after.outcomes));
    const sourceEventId = recomputeSourceEventId(rules.version);
    await this.awards.recordAll(
      transaction,
      now,
      stored.map(({ userId, after }) => ({
        userId,
        sourceEventId,
        badges: after.newlyEarned,
        levelUp: after.levelChange && { change: after.levelChange, totalXp: after.totalXp },
      })),
    );
    await this.outbox.append(transaction, streakNoticeOutbox(this.config.topics, streakNotices));
    return stored;
  }

  /**
   * The users' standings on the boards folded again under the new rules' XP (contract section 9), for
   * the periods not final: final ones keep what was announced. A queued projection brings them to Redis.
   */
  private async standings(transaction: Transaction, recomputed: readonly UserRecomputed[], rules: GamificationRules, now: Date): Promise<UserStanding[]> {
    if (rules.leaderboards.length === 0) {
      return [];
    }
    const userIds = recomputed.map((user) => user.userId);
    const times = await this.processedEvents.decisionTimesOf(transaction, userIds);
    const claims = await this.challenges.claimsOf(transaction, userIds);
    const held = await this.leaderboards.heldBy(transaction, userIds);
    const tally = new LeaderboardTally(rules);
    return recomputed.flatMap(({ userId, after }) => {
      const xp: LeaderboardXp[] = [...after.xpByEvent].map(([eventId, amount]) => {
        const { completedAt, decidedAt } = times.get(eventId)!;
        return { xp: amount, countsAt: completedAt, decidedAt };
      });
      xp.push(...(claims.get(userId) ?? []).map((claim) => ({ xp: claim.xp, countsAt: claim.claimedAt, decidedAt: claim.claimedAt })));
      return tally.restated(xp, held.get(userId) ?? [], now).map((standing) => ({ ...standing, userId }));
    });
  }
}
