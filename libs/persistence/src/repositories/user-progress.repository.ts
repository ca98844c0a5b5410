import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  isChallengeCompleted,
  type ChallengeDay,
  type ChallengeType,
  type LocalDate,
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

export type ApplyOnceResult = { readonly status: 'applied'; readonly decision: SessionDecision } | { readonly status: 'duplicate' };

interface ProfileRow {
  total_xp: number;
  level: number;
  sessions_completed: number;
  best_score: number | null;
  timezone: string | null;
}

interface ChallengeRow {
  type: ChallengeType;
  description: string;
  target: number;
  xp_reward: number;
  min_score: number | null;
  progress: number;
  claimed_at: Date | null;
  expires_at: Date;
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

  private async lockProgress(manager: EntityManager, userId: string): Promise<UserProgress> {
    await manager.query(`INSERT INTO user_profiles (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING`, [userId]);
    const [profile]: ProfileRow[] = await manager.query(
      `SELECT total_xp, level, sessions_completed, best_score, timezone FROM user_profiles WHERE user_id = $1 FOR UPDATE`,
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
      practiceDays: days.map((day) => day.practice_date),
      badges: new Set(badges.map((badge) => badge.badge_code)),
    };
  }

  private async challengeDay(manager: EntityManager, userId: string, date: LocalDate): Promise<ChallengeDay | null> {
    const rows: ChallengeRow[] = await manager.query(
      `SELECT type, description, target, xp_reward, min_score, progress, claimed_at, expires_at
       FROM daily_challenges WHERE user_id = $1 AND challenge_date = $2 ORDER BY created_at, type`,
      [userId, date],
    );
    if (rows.length === 0) {
      return null;
    }
    return {
      expiresAt: rows[0].expires_at,
      challenges: rows.map((row) => ({
        type: row.type,
        description: row.description,
        target: row.target,
        xpReward: row.xp_reward,
        minScore: row.min_score,
        progress: row.progress,
        isClaimed: row.claimed_at !== null,
      })),
    };
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
    if (decision.badgesAwarded.length > 0) {
      await manager.query(
        `INSERT INTO user_badges (user_id, badge_code, badge_name, badge_description, awarded_at, source_event_id)
         SELECT $1, code, name, description, $5, $6 FROM unnest($2::text[], $3::text[], $4::text[]) AS b(code, name, description)
         ON CONFLICT (user_id, badge_code) DO NOTHING`,
        [
          key.userId,
          decision.badgesAwarded.map((badge) => badge.code),
          decision.badgesAwarded.map((badge) => badge.name),
          decision.badgesAwarded.map((badge) => badge.description),
          now,
          key.eventId,
        ],
      );
    }
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
}
