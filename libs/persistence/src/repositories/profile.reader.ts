import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { LocalDate, RecordedProfile } from '@app/domain';
import { CHALLENGE_COLUMNS, toChallengeRecord, type ChallengeRecord, type ChallengeRow } from './daily-challenges.repository';
import { NEWEST_VERSION_SQL } from './rules-versions.repository';

interface ProfileJson {
  readonly total_xp: number;
  readonly level: number;
  readonly sessions_completed: number;
  readonly current_streak: number;
  readonly longest_streak: number;
  readonly last_practice_date: LocalDate | null;
  readonly freezes_held: number;
  readonly frozen_days: LocalDate[];
  readonly timezone: string | null;
  readonly rules_version: number | null;
}

interface BadgeJson {
  readonly badge_code: string;
  readonly badge_name: string;
  readonly badge_description: string;
  readonly awarded_at: string;
}

/** A daily_challenges row as json_agg renders it: timestamps are strings. */
type ChallengeJson = Omit<ChallengeRow, 'expires_at' | 'completed_at' | 'claimed_at'> & {
  readonly expires_at: string;
  readonly completed_at: string | null;
  readonly claimed_at: string | null;
};

function dateOrNull(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

export interface ProfileRead {
  readonly profile: RecordedProfile | null;
  readonly challenges: ChallengeRecord[];
  /** The version in force (null before any is recorded), and the user's (null when none is recorded for them). */
  readonly rulesVersions: { readonly inForce: number | null; readonly user: number | null };
}

/**
 * The read side of the profile: it owns no table and writes nothing. It reads across the user's
 * profile, badges and challenges in one round trip, because GET /gamification/profile is the api's
 * busiest route.
 */
@Injectable()
export class ProfileReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The recorded profile (null for a user never seen), the challenges of the given local dates, and
   * the rules versions: the one in force, and the one the user's state was computed under.
   */
  async read(userId: string, challengeDates: readonly LocalDate[]): Promise<ProfileRead> {
    const [row]: Array<{ profile: ProfileJson | null; badges: BadgeJson[]; challenges: ChallengeJson[]; in_force: number | null }> = await this.dataSource.query(
      `SELECT
         (SELECT row_to_json(p) FROM (
            SELECT total_xp, level, sessions_completed, current_streak, longest_streak, last_practice_date, freezes_held, frozen_days, timezone, rules_version
            FROM user_profiles WHERE user_id = $1) p) AS profile,
         ${NEWEST_VERSION_SQL} AS in_force,
         (SELECT coalesce(json_agg(b ORDER BY b.awarded_at, b.badge_code), '[]') FROM (
            SELECT badge_code, badge_name, badge_description, awarded_at FROM user_badges WHERE user_id = $1) b) AS badges,
         (SELECT coalesce(json_agg(c ORDER BY c.challenge_date, c.created_at, c.type), '[]') FROM (
            SELECT ${CHALLENGE_COLUMNS}, created_at FROM daily_challenges
            WHERE user_id = $1 AND challenge_date = ANY($2::date[])) c) AS challenges`,
      [userId, challengeDates],
    );
    const challenges = row.challenges.map((challenge) =>
      toChallengeRecord({
        ...challenge,
        expires_at: new Date(challenge.expires_at),
        completed_at: dateOrNull(challenge.completed_at),
        claimed_at: dateOrNull(challenge.claimed_at),
      }),
    );
    const { profile, badges } = row;
    if (profile === null) {
      return { profile: null, challenges, rulesVersions: { inForce: row.in_force, user: null } };
    }
    return {
      rulesVersions: { inForce: row.in_force, user: profile.rules_version },
      profile: {
        totalXp: profile.total_xp,
        level: profile.level,
        sessionsCompleted: profile.sessions_completed,
        currentStreak: profile.current_streak,
        longestStreak: profile.longest_streak,
        lastPracticeDate: profile.last_practice_date,
        freezesHeld: profile.freezes_held,
        frozenDays: profile.frozen_days,
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
}
