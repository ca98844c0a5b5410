import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  challengeDayKey,
  isChallengeCompleted,
  type BadgeDefinition,
  type ChallengeDayDecision,
  type DecidedSessionOutcome,
  type ProgressTotals,
  type ChallengeClaimDecision,
  type ChallengeDay,
  type ChallengeState,
  type ChallengeType,
  type ClaimableChallenge,
  type ClaimantProgress,
  type LocalDate,
  type RecordedProgress,
  type Reevaluation,
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

/** What a batch's decisions are made from: every user's state and their open challenge days. */
export interface BatchState {
  readonly progress: ReadonlyMap<string, UserProgress>;
  /** By challengeDayKey(userId, date). */
  readonly challengeDays: ReadonlyMap<string, ChallengeDay>;
}

export interface DecidedBatch {
  readonly decisions: readonly DecidedSessionOutcome[];
  readonly outbox: readonly OutboxEntry[];
}

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
   * Applies a batch of session events with distinct eventIds, each at most once, in one transaction
   * (a batch that repeats an eventId is refused: which copy wins is the caller's decision). The eventIds are
   * claimed first (in sorted order, so concurrent batches cannot deadlock; a concurrent duplicate
   * waits, then finds its id taken), then the profiles of the users concerned are locked (sorted
   * too), their state is loaded with a few set-based reads, `decide` computes every decision from
   * it, and all changes, outbox entries included, are written with a few set-based statements.
   * Everything commits or rolls back together.
   */
  async applyBatch(
    keys: readonly SessionEventKey[],
    now: Date,
    challengesFrom: LocalDate,
    decide: (claimed: readonly SessionEventKey[], state: BatchState) => DecidedBatch,
  ): Promise<ReadonlyMap<string, 'applied' | 'duplicate'>> {
    const distinct = new Set(keys.map((key) => key.eventId));
    if (distinct.size !== keys.length) {
      throw new Error(`applyBatch takes each eventId once; ${keys.length - distinct.size} repeated (de-duplicate with firstOccurrences first)`);
    }
    return this.dataSource.transaction(async (manager) => {
      const sorted = [...keys].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
      const inserted: Array<{ event_id: string }> = await manager.query(
        `INSERT INTO processed_events (event_id, user_id, session_id, source, processed_at)
         SELECT e, u, s, src, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(e, u, s, src, n)
         ORDER BY n
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [sorted.map((k) => k.eventId), sorted.map((k) => k.userId), sorted.map((k) => k.sessionId), sorted.map((k) => k.source), now],
      );
      const claimedIds = new Set(inserted.map((row) => row.event_id));
      const outcomes = new Map<string, 'applied' | 'duplicate'>(
        keys.map((key) => [key.eventId, claimedIds.has(key.eventId) ? 'applied' : 'duplicate']),
      );
      const claimed = keys.filter((key) => claimedIds.has(key.eventId));
      if (claimed.length === 0) {
        return outcomes;
      }
      const state = await this.lockAndLoad(manager, [...new Set(claimed.map((key) => key.userId))].sort(), challengesFrom);
      const { decisions, outbox } = decide(claimed, state);
      await this.storeDecisions(manager, decisions, now);
      await this.outbox.append(manager, outbox);
      return outcomes;
    });
  }

  private async lockAndLoad(manager: EntityManager, userIds: readonly string[], challengesFrom: LocalDate): Promise<BatchState> {
    await manager.query(
      `INSERT INTO user_profiles (user_id) SELECT unnest($1::text[]) ON CONFLICT (user_id) DO NOTHING`,
      [userIds],
    );
    const profiles: Array<ProfileRow & { user_id: string }> = await manager.query(
      `SELECT user_id, total_xp, level, sessions_completed, best_score, timezone, longest_streak
       FROM user_profiles WHERE user_id = ANY($1::text[]) ORDER BY user_id FOR UPDATE`,
      [userIds],
    );
    const days: Array<{ user_id: string; practice_date: string }> = await manager.query(
      `SELECT user_id, practice_date FROM practice_days WHERE user_id = ANY($1::text[])`,
      [userIds],
    );
    const badges: Array<{ user_id: string; badge_code: string }> = await manager.query(
      `SELECT user_id, badge_code FROM user_badges WHERE user_id = ANY($1::text[])`,
      [userIds],
    );
    const challenges: Array<ChallengeRow & { user_id: string }> = await manager.query(
      `SELECT user_id, ${CHALLENGE_COLUMNS} FROM daily_challenges
       WHERE user_id = ANY($1::text[]) AND challenge_date >= $2 ORDER BY created_at, type`,
      [userIds, challengesFrom],
    );
    const progress = new Map<string, UserProgress>();
    for (const profile of profiles) {
      progress.set(profile.user_id, {
        totalXp: profile.total_xp,
        level: profile.level,
        sessionsCompleted: profile.sessions_completed,
        bestScore: profile.best_score,
        timezone: profile.timezone,
        practiceDays: new Set<LocalDate>(),
        badges: new Set<string>(),
      });
    }
    for (const day of days) {
      (progress.get(day.user_id)?.practiceDays as Set<LocalDate>).add(day.practice_date);
    }
    for (const badge of badges) {
      (progress.get(badge.user_id)?.badges as Set<string>).add(badge.badge_code);
    }
    const challengeDays = new Map<string, ChallengeDay>();
    for (const row of challenges) {
      const key = challengeDayKey(row.user_id, row.challenge_date);
      const day = challengeDays.get(key);
      const record = toChallengeRecord(row);
      challengeDays.set(key, { expiresAt: day?.expiresAt ?? record.expiresAt, challenges: [...(day?.challenges ?? []), record] });
    }
    return { progress, challengeDays };
  }

  private async storeDecisions(manager: EntityManager, decisions: readonly DecidedSessionOutcome[], now: Date): Promise<void> {
    const totals = new Map<string, ProgressTotals>();
    const practiceDays: Array<[string, LocalDate]> = [];
    const badges: Array<[string, BadgeDefinition, string]> = [];
    const challengeDays = new Map<string, [string, ChallengeDayDecision]>();
    // The zone each user ends the run in: a session too short to count still shows where the user is.
    const zones = new Map<string, string>();
    for (const { session, decision } of decisions) {
      zones.set(session.userId, decision.outcome === 'counted' ? decision.totals.timezone : decision.timezone);
      if (decision.outcome !== 'counted') {
        continue;
      }
      totals.set(session.userId, decision.totals);
      practiceDays.push([session.userId, decision.practiceDate]);
      badges.push(...decision.badgesAwarded.map((badge): [string, BadgeDefinition, string] => [session.userId, badge, session.eventId]));
      if (decision.challengeDay !== null) {
        challengeDays.set(challengeDayKey(session.userId, decision.challengeDay.date), [session.userId, decision.challengeDay]);
      }
    }
    if (totals.size > 0) {
      const rows = [...totals];
      await manager.query(
        `UPDATE user_profiles p SET total_xp = v.total_xp, level = v.level, sessions_completed = v.sessions_completed,
           best_score = v.best_score, current_streak = v.current_streak, longest_streak = v.longest_streak,
           last_practice_date = v.last_practice_date, timezone = v.timezone, updated_at = $10
         FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::float8[], $6::int[], $7::int[], $8::date[], $9::text[])
           AS v(user_id, total_xp, level, sessions_completed, best_score, current_streak, longest_streak, last_practice_date, timezone)
         WHERE p.user_id = v.user_id`,
        [
          rows.map(([userId]) => userId),
          rows.map(([, t]) => t.totalXp),
          rows.map(([, t]) => t.level),
          rows.map(([, t]) => t.sessionsCompleted),
          rows.map(([, t]) => t.bestScore),
          rows.map(([, t]) => t.currentStreak),
          rows.map(([, t]) => t.longestStreak),
          rows.map(([, t]) => t.lastPracticeDate),
          rows.map(([userId]) => zones.get(userId)),
          now,
        ],
      );
    }
    const zoneOnly = [...zones].filter(([userId]) => !totals.has(userId));
    if (zoneOnly.length > 0) {
      await manager.query(
        `UPDATE user_profiles p SET timezone = v.timezone, updated_at = $3
         FROM unnest($1::text[], $2::text[]) AS v(user_id, timezone)
         WHERE p.user_id = v.user_id AND p.timezone IS DISTINCT FROM v.timezone`,
        [zoneOnly.map(([userId]) => userId), zoneOnly.map(([, zone]) => zone), now],
      );
    }
    if (practiceDays.length > 0) {
      await manager.query(
        `INSERT INTO practice_days (user_id, practice_date) SELECT * FROM unnest($1::text[], $2::date[]) ON CONFLICT DO NOTHING`,
        [practiceDays.map(([userId]) => userId), practiceDays.map(([, date]) => date)],
      );
    }
    if (badges.length > 0) {
      await manager.query(
        `INSERT INTO user_badges (user_id, badge_code, badge_name, badge_description, awarded_at, source_event_id)
         SELECT u, code, name, description, $6, src FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
           AS b(u, code, name, description, src)
         ON CONFLICT (user_id, badge_code) DO NOTHING`,
        [
          badges.map(([userId]) => userId),
          badges.map(([, badge]) => badge.code),
          badges.map(([, badge]) => badge.name),
          badges.map(([, badge]) => badge.description),
          badges.map(([, , source]) => source),
          now,
        ],
      );
    }
    const challengeRows = [...challengeDays.values()].flatMap(([userId, day]) =>
      day.challenges.map((challenge) => ({ userId, date: day.date, expiresAt: day.expiresAt, challenge })),
    );
    if (challengeRows.length > 0) {
      await manager.query(
        `INSERT INTO daily_challenges
           (user_id, challenge_date, type, description, target, xp_reward, min_score, progress, completed_at, expires_at)
         SELECT c.user_id, c.challenge_date, c.type, c.description, c.target, c.xp_reward, c.min_score, c.progress,
                CASE WHEN c.completed THEN $11::timestamptz END, c.expires_at
         FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::bool[], $10::timestamptz[])
           AS c(user_id, challenge_date, type, description, target, xp_reward, min_score, progress, completed, expires_at)
         ON CONFLICT ON CONSTRAINT daily_challenges_one_per_type_and_day DO UPDATE
           SET progress = EXCLUDED.progress,
               completed_at = COALESCE(daily_challenges.completed_at, EXCLUDED.completed_at)`,
        [
          challengeRows.map((row) => row.userId),
          challengeRows.map((row) => row.date),
          challengeRows.map((row) => row.challenge.type),
          challengeRows.map((row) => row.challenge.description),
          challengeRows.map((row) => row.challenge.target),
          challengeRows.map((row) => row.challenge.xpReward),
          challengeRows.map((row) => row.challenge.minScore),
          challengeRows.map((row) => row.challenge.progress),
          challengeRows.map((row) => isChallengeCompleted(row.challenge)),
          challengeRows.map((row) => row.expiresAt),
          now,
        ],
      );
    }
    await manager.query(
      `UPDATE processed_events p SET outcome = v.outcome, xp_awarded = v.xp, practice_date = v.practice_date
       FROM unnest($1::text[], $2::text[], $3::int[], $4::date[]) AS v(event_id, outcome, xp, practice_date)
       WHERE p.event_id = v.event_id`,
      [
        decisions.map(({ session }) => session.eventId),
        decisions.map(({ decision }) => decision.outcome),
        decisions.map(({ decision }) => (decision.outcome === 'counted' ? decision.xpAwarded : 0)),
        decisions.map(({ decision }) => (decision.outcome === 'counted' ? decision.practiceDate : null)),
      ],
    );
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

  private async selectChallengesOfDay(manager: EntityManager, userId: string, date: LocalDate): Promise<ChallengeRecord[]> {
    const rows: ChallengeRow[] = await manager.query(
      `SELECT ${CHALLENGE_COLUMNS} FROM daily_challenges WHERE user_id = $1 AND challenge_date = $2 ORDER BY created_at, type`,
      [userId, date],
    );
    return rows.map(toChallengeRecord);
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
