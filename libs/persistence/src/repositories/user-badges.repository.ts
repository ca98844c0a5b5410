import { Injectable } from '@nestjs/common';
import type { BadgeDefinition } from '@app/domain';
import { statementsOf, type Statements, type Transaction } from '../unit-of-work';
import { recordset } from './recordset';

export interface BadgeAward {
  readonly userId: string;
  readonly badge: BadgeDefinition;
  /** The SessionCompleted eventId, or `challenge:<id>`, or `sync:<userId>`. */
  readonly sourceEventId: string;
}

interface BadgeRow {
  readonly user_id: string;
  readonly badge_code: string;
  readonly badge_name: string;
  readonly badge_description: string;
  readonly source_event_id: string;
}

function badgeRow({ userId, badge, sourceEventId }: BadgeAward): BadgeRow {
  return {
    user_id: userId,
    badge_code: badge.code,
    badge_name: badge.name,
    badge_description: badge.description,
    source_event_id: sourceEventId,
  };
}

/** A badge one user holds, as it was when awarded. */
export interface HeldBadge {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly awardedAt: Date;
}

/** The only writer of user_badges: each badge a user earned, at most once per user. */
@Injectable()
export class UserBadgesRepository {
  /** The badge `code` as `userId` holds it, or null when they have not earned it. */
  async heldBy(statements: Statements, userId: string, code: string): Promise<HeldBadge | null> {
    const rows: Array<{ badge_code: string; badge_name: string; badge_description: string; awarded_at: Date }> = await statementsOf(statements).query(
      `SELECT badge_code, badge_name, badge_description, awarded_at FROM user_badges WHERE user_id = $1 AND badge_code = $2`,
      [userId, code],
    );
    return rows.length === 0 ? null : { code: rows[0].badge_code, name: rows[0].badge_name, description: rows[0].badge_description, awardedAt: rows[0].awarded_at };
  }

  /** The codes of the badges each user holds, by userId (a user without any is absent). */
  async codesOf(statements: Statements, userIds: readonly string[]): Promise<ReadonlyMap<string, Set<string>>> {
    const rows: Array<{ user_id: string; badge_code: string }> = await statementsOf(statements).query(
      `SELECT user_id, badge_code FROM user_badges WHERE user_id = ANY($1::text[])`,
      [userIds],
    );
    const codes = new Map<string, Set<string>>();
    for (const row of rows) {
      codes.set(row.user_id, (codes.get(row.user_id) ?? new Set<string>()).add(row.badge_code));
    }
    return codes;
  }

  /** Records awards in one statement; a badge the user holds already is never awarded again. */
  async award(transaction: Transaction, awards: readonly BadgeAward[], awardedAt: Date): Promise<void> {
    if (awards.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `INSERT INTO user_badges (user_id, badge_code, badge_name, badge_description, awarded_at, source_event_id)
       SELECT v.user_id, v.badge_code, v.badge_name, v.badge_description, $2, v.source_event_id
       FROM json_to_recordset($1::json)
         AS v(user_id text, badge_code text, badge_name text, badge_description text, source_event_id text)
       ON CONFLICT (user_id, badge_code) DO NOTHING`,
      [recordset(awards.map(badgeRow)), awardedAt],
    );
  }
}
