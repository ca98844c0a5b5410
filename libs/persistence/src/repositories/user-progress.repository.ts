import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  isChallengeCompleted,
  type BadgeDefinition,
  type ChallengeClaimDecision,
  type ChallengeDay,
  type ChallengeState,
  type ChallengeType,
  type ClaimableChallenge,
  type ClaimantProgress,
  type LocalDate,
  type RecordedProgress,
  type Reevaluation,
  type SessionDecision,
  type UserProgress,
} from '@app/domain';
import { OutboxRepository, type OutboxEntry } from './outbox.repository';

export type EventSource = 'kafka' | 'api';

export interface SessionEventKey {
  readonly eventId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly source: EventSource;
}

export interface DecidedSession {
  readonly decision: SessionDecision;
  readonly outbox: readonly OutboxEntry[];
}

export type LoadChallengeDay = (date: LocalDate) => Promise<ChallengeDay | null>;

/** A stored challenge, as the profile shows it. */
export interface ChallengeRecord extends ChallengeState {
  readonly id: string;
  readonly date: LocalDate;
  readonly expiresAt: Date;
  readonly completedAt: Date | null;
  readonly claimedAt: Date | null;
}

export interface EarnedBadge {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly awardedAt: Date;
}

/** What is recorded of a user, for reading. */
export interface StoredProfile {
  readonly totalXp: number;
  readonly level: number;
  readonly sessionsCompleted: number;
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: LocalDate | null;
  readonly timezone: string | null;
  readonly badges: readonly EarnedBadge[];
}

export type ClaimResult =
  | { readonly status: 'not-found' }
  | { readonly status: 'decided'; readonly decision: ChallengeClaimDecision; readonly challenge: ChallengeRecord };

export type ApplyOnceResult = { readonly status: 'applied'; readonly decision: SessionDecision } | { readonly status: 'duplicate' };

interface ProfileRow {
  longest_streak: number;
  total_xp: number;
  level: number;
  sessions_completed: number;
  best_score: number | null;
  timezone: string | null;
}

interface ChallengeRow {
  id: string;
  challenge_date: string;
  completed_at: Date | null;
  type: ChallengeType;
  description: string;
  target: number;
  xp_reward: number;
  min_score: number | null;
  progress: number;
  claimed_at: Date | null;
  expires_at: Date;
}

const CHALLENGE_COLUMNS =
  'id, challenge_date, type, description, target, xp_reward, min_score, progress, completed_at, claimed_at, expires_at';

function toChallengeRecord(row: ChallengeRow): ChallengeRecord {
  return {
    id: row.id,
    date: row.challenge_date,
    type: row.type,
    description: row.description,
    target: row.target,
    xpReward: row.xp_reward,
    minScore: row.min_score,
    progress: row.progress,
    isClaimed: row.claimed_at !== null,
    expiresAt: row.expires_at,
    completedAt: row.completed_at,
    claimedAt: row.claimed_at,
  };
}

/**
 * Owns a user's progress: profile, practice days, badges, daily challenges and the
 * processed-events ledger. Each decision is applied in one transaction that never leaves this class.
 */
@Injectable()
export class UserProgressRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  /**
   * Applies a session event at most once. The eventId is claimed first (a concurrent duplicate waits
   * on it, then finds it taken), the user's profile row is locked, `decide` computes the changes from
   * the locked state, and everything, outbox entries included, commits or rolls back together.
   */
  async applyOnce(
    key: SessionEventKey,
    now: Date,
    decide: (progress: UserProgress, loadChallengeDay: LoadChallengeDay) => DecidedSession | Promise<DecidedSession>,
  ): Promise<ApplyOnceResult> {
    return this.dataSource.transaction(async (manager) => {
      const claimed: unknown[] = await manager.query(
        `INSERT INTO processed_events (event_id, user_id, session_id, source, processed_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [key.eventId, key.userId, key.sessionId, key.source, now],
      );
      if (claimed.length === 0) {
        return { status: 'duplicate' } as const;
      }
      const progress = await this.lockProgress(manager, key.userId);
      const { decision, outbox } = await decide(progress, (date) => this.challengeDay(manager, key.userId, date));
      await this.store(manager, key, now, decision);
      await this.outbox.append(manager, outbox);
      return { status: 'applied', decision } as const;
    });
  }

  /**
   * What the profile shows, in one round trip: the recorded totals (null for a user never seen), the
   * badges, and the challenges of the given local dates (the caller picks today among them).
   */
  async readProfile(
    userId: string,
    challengeDates: readonly LocalDate[],
  ): Promise<{ profile: StoredProfile | null; challenges: ChallengeRecord[] }> {
    const [row] = await this.dataSource.query(
      `SELECT
         (SELECT row_to_json(p) FROM (
            SELECT total_xp, level, sessions_completed, current_streak, longest_streak, last_practice_date, timezone
            FROM user_profiles WHERE user_id = $1) p) AS profile,
         (SELECT coalesce(json_agg(b ORDER BY b.awarded_at, b.badge_code), '[]') FROM (
            SELECT badge_code, badge_name, badge_description, awarded_at FROM user_badges WHERE user_id = $1) b) AS badges,
         (SELECT coalesce(json_agg(c ORDER BY c.challenge_date, c.created_at, c.type), '[]') FROM (
            SELECT ${CHALLENGE_COLUMNS}, created_at FROM daily_challenges
            WHERE user_id = $1 AND challenge_date = ANY($2::date[])) c) AS challenges`,
      [userId, challengeDates],
    );
    const challenges = (row.challenges as Array<Record<string, unknown>>).map((challenge) =>
      toChallengeRecord({
        ...(challenge as unknown as ChallengeRow),
        expires_at: new Date(challenge.expires_at as string),
        completed_at: challenge.completed_at === null ? null : new Date(challenge.completed_at as string),
        claimed_at: challenge.claimed_at === null ? null : new Date(challenge.claimed_at as string),
      }),
    );
    if (row.profile === null) {
      return { profile: null, challenges };
    }
    const profile = row.profile;
    const badges = row.badges as Array<{ badge_code: string; badge_name: string; badge_description: string; awarded_at: string }>;
    return {
      profile: {
        totalXp: profile.total_xp,
        level: profile.level,
        sessionsCompleted: profile.sessions_completed,
        currentStreak: profile.current_streak,
        longestStreak: profile.longest_streak,
        lastPracticeDate: profile.last_practice_date,
        timezone: profile.timezone,
        badges: badges.map((badge) => ({
          code: badge.badge_code,
          name: badge.badge_name,
          description: badge.badge_description,
          awardedAt: new Date(badge.awarded_at),
        })),
      },
      challenges,
    };
  }

  /**
   * Creates the user's challenges of a local day from `fresh` where the day has none yet, and returns
   * the day's challenges. Safe to race with the worker and other reads: whoever inserts first wins,
   * and the worker's progress update overwrites zeros.
   */
  async createChallengesOfDay(
    userId: string,
    date: LocalDate,
    expiresAt: Date,
    fresh: readonly ChallengeState[],
  ): Promise<ChallengeRecord[]> {
    await this.dataSource.query(
      `INSERT INTO daily_challenges (user_id, challenge_date, type, description, target, xp_reward, min_score, expires_at)
       SELECT $1, $2, c.type, c.description, c.target, c.xp_reward, c.min_score, $3
       FROM unnest($4::text[], $5::text[], $6::int[], $7::int[], $8::int[]) AS c(type, description, target, xp_reward, min_score)
       ON CONFLICT ON CONSTRAINT daily_challenges_one_per_type_and_day DO NOTHING`,
      [
        userId,
        date,
        expiresAt,
        fresh.map((challenge) => challenge.type),
        fresh.map((challenge) => challenge.description),
        fresh.map((challenge) => challenge.target),
        fresh.map((challenge) => challenge.xpReward),
        fresh.map((challenge) => challenge.minScore),
      ],
    );
    return this.selectChallengesOfDay(this.dataSource.manager, userId, date);
  }

  /**
   * Claims a challenge of the user in one transaction: the profile row, then the challenge row, are
   * locked, so concurrent claims of it queue and all but the first find it claimed.
   */
  async claimChallenge(
    userId: string,
    challengeId: string,
    now: Date,
    decide: (challenge: ClaimableChallenge, progress: ClaimantProgress) => {
      readonly decision: ChallengeClaimDecision;
      readonly outbox: readonly OutboxEntry[];
    },
  ): Promise<ClaimResult> {
    return this.dataSource.transaction(async (manager) => {
      const [owned]: ChallengeRow[] = await manager.query(
        `SELECT ${CHALLENGE_COLUMNS} FROM daily_challenges WHERE id = $1 AND user_id = $2`,
        [challengeId, userId],
      );
      if (owned === undefined) {
        return { status: 'not-found' } as const;
      }
      const progress = await this.lockProgress(manager, userId);
      const [row]: ChallengeRow[] = await manager.query(
        `SELECT ${CHALLENGE_COLUMNS} FROM daily_challenges WHERE id = $1 FOR UPDATE`,
        [challengeId],
      );
      const { decision, outbox } = decide(toChallengeRecord(row), progress);
      if (decision.outcome !== 'claimed') {
        return { status: 'decided', decision, challenge: toChallengeRecord(row) } as const;
      }
      // TypeORM answers an UPDATE … RETURNING on Postgres with [rows, affected row count].
      const [[claimed]]: [ChallengeRow[], number] = await manager.query(
        `UPDATE daily_challenges SET claimed_at = $2 WHERE id = $1 RETURNING ${CHALLENGE_COLUMNS}`,
        [challengeId, now],
      );
      await manager.query(
        `UPDATE user_profiles SET total_xp = $2, level = $3, updated_at = $4 WHERE user_id = $1`,
        [userId, decision.totalXp, decision.level, now],
      );
      await this.insertBadges(manager, userId, decision.badgesAwarded, now, `challenge:${challengeId}`);
      await this.outbox.append(manager, outbox);
      return { status: 'decided', decision, challenge: toChallengeRecord(claimed) } as const;
    });
  }

  /** Re-evaluates streak and badges from what is recorded, in one transaction under the user's lock. */
  async reevaluate(
    userId: string,
    now: Date,
    sourceId: string,
    decide: (progress: RecordedProgress) => { readonly reevaluation: Reevaluation; readonly outbox: readonly OutboxEntry[] },
  ): Promise<Reevaluation> {
    return this.dataSource.transaction(async (manager) => {
      const progress = await this.lockProgress(manager, userId);
      const { reevaluation, outbox } = decide(progress);
      const { streak } = reevaluation;
      await manager.query(
        `UPDATE user_profiles SET current_streak = $2, longest_streak = $3, last_practice_date = $4
         WHERE user_id = $1 AND (current_streak, longest_streak, last_practice_date)
           IS DISTINCT FROM ($2::int, $3::int, $4::date)`,
        [userId, streak.currentStreak, streak.longestStreak, streak.lastPracticeDate],
      );
      await this.insertBadges(manager, userId, reevaluation.badgesAwarded, now, sourceId);
      await this.outbox.append(manager, outbox);
      return reevaluation;
    });
  }

  private async lockProgress(manager: EntityManager, userId: string): Promise<UserProgress & { longestStreak: number }> {
    await manager.query(`INSERT INTO user_profiles (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING`, [userId]);
    const [profile]: ProfileRow[] = await manager.query(
      `SELECT total_xp, level, sessions_completed, best_score, timezone, longest_streak
       FROM user_profiles WHERE user_id = $1 FOR UPDATE`,
      [userId],
    );
    const days: Array<{ practice_date: string }> = await manager.query(
      `SELECT practice_date FROM practice_days WHERE user_id = $1`,
      [userId],
    );
    const badges: Array<{ badge_code: string }> = await manager.query(
      `SELECT badge_code FROM user_badges WHERE user_id = $1`,
      [userId],
    );
    return {
      totalXp: profile.total_xp,
      level: profile.level,
      sessionsCompleted: profile.sessions_completed,
      bestScore: profile.best_score,
      timezone: profile.timezone,
      longestStreak: profile.longest_streak,
      practiceDays: days.map((day) => day.practice_date),
      badges: new Set(badges.map((badge) => badge.badge_code)),
    };
  }

  private async challengeDay(manager: EntityManager, userId: string, date: LocalDate): Promise<ChallengeDay | null> {
    const challenges = await this.selectChallengesOfDay(manager, userId, date);
    return challenges.length === 0 ? null : { expiresAt: challenges[0].expiresAt, challenges };
  }

  private async selectChallengesOfDay(manager: EntityManager, userId: string, date: LocalDate): Promise<ChallengeRecord[]> {
    const rows: ChallengeRow[] = await manager.query(
      `SELECT ${CHALLENGE_COLUMNS} FROM daily_challenges WHERE user_id = $1 AND challenge_date = $2 ORDER BY created_at, type`,
      [userId, date],
    );
    return rows.map(toChallengeRecord);
  }

  private async store(manager: EntityManager, key: SessionEventKey, now: Date, decision: SessionDecision): Promise<void> {
    if (decision.outcome === 'not-counted') {
      await manager.query(`UPDATE processed_events SET outcome = 'not-counted' WHERE event_id = $1`, [key.eventId]);
      return;
    }
    const { totals } = decision;
    await manager.query(
      `UPDATE user_profiles SET total_xp = $2, level = $3, sessions_completed = $4, best_score = $5,
         current_streak = $6, longest_streak = $7, last_practice_date = $8, timezone = $9, updated_at = $10
       WHERE user_id = $1`,
      [
        key.userId,
        totals.totalXp,
        totals.level,
        totals.sessionsCompleted,
        totals.bestScore,
        totals.currentStreak,
        totals.longestStreak,
        totals.lastPracticeDate,
        totals.timezone,
        now,
      ],
    );
    await manager.query(
      `INSERT INTO practice_days (user_id, practice_date) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [key.userId, decision.practiceDate],
    );
    await this.insertBadges(manager, key.userId, decision.badgesAwarded, now, key.eventId);
    const day = decision.challengeDay;
    if (day !== null) {
      await manager.query(
        `INSERT INTO daily_challenges
           (user_id, challenge_date, type, description, target, xp_reward, min_score, progress, completed_at, expires_at)
         SELECT $1, $2, c.type, c.description, c.target, c.xp_reward, c.min_score, c.progress,
                CASE WHEN c.completed THEN $3::timestamptz END, $4
         FROM unnest($5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::int[], $11::bool[])
           AS c(type, description, target, xp_reward, min_score, progress, completed)
         ON CONFLICT ON CONSTRAINT daily_challenges_one_per_type_and_day DO UPDATE
           SET progress = EXCLUDED.progress,
               completed_at = COALESCE(daily_challenges.completed_at, EXCLUDED.completed_at)`,
        [
          key.userId,
          day.date,
          now,
          day.expiresAt,
          day.challenges.map((challenge) => challenge.type),
          day.challenges.map((challenge) => challenge.description),
          day.challenges.map((challenge) => challenge.target),
          day.challenges.map((challenge) => challenge.xpReward),
          day.challenges.map((challenge) => challenge.minScore),
          day.challenges.map((challenge) => challenge.progress),
          day.challenges.map((challenge) => isChallengeCompleted(challenge)),
        ],
      );
    }
    await manager.query(
      `UPDATE processed_events SET outcome = 'counted', xp_awarded = $2, practice_date = $3 WHERE event_id = $1`,
      [key.eventId, decision.xpAwarded, decision.practiceDate],
    );
  }

  private async insertBadges(
    manager: EntityManager,
    userId: string,
    badges: readonly BadgeDefinition[],
    awardedAt: Date,
    sourceId: string,
  ): Promise<void> {
    if (badges.length === 0) {
      return;
    }
    await manager.query(
      `INSERT INTO user_badges (user_id, badge_code, badge_name, badge_description, awarded_at, source_event_id)
       SELECT $1, code, name, description, $5, $6 FROM unnest($2::text[], $3::text[], $4::text[]) AS b(code, name, description)
       ON CONFLICT (user_id, badge_code) DO NOTHING`,
      [
        userId,
        badges.map((badge) => badge.code),
        badges.map((badge) => badge.name),
        badges.map((badge) => badge.description),
        awardedAt,
        sourceId,
      ],
    );
  }
}
