import { Injectable } from '@nestjs/common';
import type { LocalDate } from '@app/domain';
import { statementsOf, type Statements, type Transaction } from '../unit-of-work';
import { recordset } from './recordset';

export interface PracticeDay {
  readonly userId: string;
  readonly date: LocalDate;
}

interface PracticeDayRow {
  readonly user_id: string;
  readonly practice_date: LocalDate;
}

function practiceDayRow({ userId, date }: PracticeDay): PracticeDayRow {
  return { user_id: userId, practice_date: date };
}

/** The only owner of practice_days: the set of local dates each user practised on, which streaks are computed from. */
@Injectable()
export class PracticeDaysRepository {
  /** Every practice day of the users, by userId (a user without any is absent). */
  async ofUsers(statements: Statements, userIds: readonly string[]): Promise<ReadonlyMap<string, Set<LocalDate>>> {
    const rows: PracticeDayRow[] = await statementsOf(statements).query(
      `SELECT user_id, practice_date FROM practice_days WHERE user_id = ANY($1::text[])`,
      [userIds],
    );
    const days = new Map<string, Set<LocalDate>>();
    for (const row of rows) {
      days.set(row.user_id, (days.get(row.user_id) ?? new Set<LocalDate>()).add(row.practice_date));
    }
    return days;
  }

  /** Adds practice days in one statement; a day already recorded stays as it is. */
  async add(transaction: Transaction, days: readonly PracticeDay[]): Promise<void> {
    if (days.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `INSERT INTO practice_days (user_id, practice_date)
       SELECT v.user_id, v.practice_date FROM json_to_recordset($1::json) AS v(user_id text, practice_date date)
       ON CONFLICT DO NOTHING`,
      [recordset(days.map(practiceDayRow))],
    );
  }

  /** Removes practice days in one statement (a recompute under rules that no longer count them). */
  async remove(transaction: Transaction, days: readonly PracticeDay[]): Promise<void> {
    if (days.length === 0) {
      return;
    }
    await statementsOf(transaction).query(
      `DELETE FROM practice_days d USING json_to_recordset($1::json) AS v(user_id text, practice_date date)
       WHERE d.user_id = v.user_id AND d.practice_date = v.practice_date`,
      [recordset(days.map(practiceDayRow))],
    );
  }
}
