import { Injectable } from '@nestjs/common';
import { statementsOf, type Statements, type Transaction } from '../unit-of-work';

/** One version of the rules as applied: the validated rules document and who applied it, when. */
export interface RulesVersionRecord {
  readonly version: number;
  /** The rules as validated when they were applied (the rules file's shape, as JSON). */
  readonly rules: unknown;
  /** The file they were read from. */
  readonly source: string;
  readonly appliedBy: string;
  readonly startedAt: Date;
  /** When every user was on this version; null while its apply is under way. */
  readonly completedAt: Date | null;
  /** Users the apply command recomputed (the worker brings along the ones it meets first). */
  readonly usersRecomputed: number;
}

interface RulesVersionRow {
  readonly version: number;
  readonly rules: unknown;
  readonly source: string;
  readonly applied_by: string;
  readonly started_at: Date;
  readonly completed_at: Date | null;
  readonly users_recomputed: number;
}

function rulesVersionRecord(row: RulesVersionRow): RulesVersionRecord {
  return {
    version: row.version,
    rules: row.rules,
    source: row.source,
    appliedBy: row.applied_by,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    usersRecomputed: row.users_recomputed,
  };
}

const COLUMNS = 'version, rules, source, applied_by, started_at, completed_at, users_recomputed';

/**
 * An advisory lock held exclusively by a change of the rules in force (the first start's, an
 * apply's start) and shared by every decision (UserProfileRepository.lock takes it): a change waits
 * for the decisions in flight, which read the version before it, and every decision after it reads
 * the new version. So when an apply starts walking the users, no decision under the old version can
 * still write one.
 */
export const VERSION_FENCE = 0x72756c6573;

/** The newest version's number, as a scalar subquery for statements that need it alongside their own rows. */
export const NEWEST_VERSION_SQL = '(SELECT version FROM rules_versions ORDER BY version DESC LIMIT 1)';

/**
 * The only owner of rules_versions: every version of the rules ever applied. The newest row decides
 * every new event, from the moment its apply starts; the others are its history.
 */
@Injectable()
export class RulesVersionsRepository {
  /** Waits for the decisions in flight and any other change to end; holds the fence until this transaction ends. */
  async lockForChange(transaction: Transaction): Promise<void> {
    await statementsOf(transaction).query(`SELECT pg_advisory_xact_lock($1)`, [VERSION_FENCE]);
  }

  /** The newest version's number; null before the first is recorded. */
  async newestVersion(statements: Statements): Promise<number | null> {
    const [row]: Array<{ version: number | null }> = await statementsOf(statements).query(`SELECT ${NEWEST_VERSION_SQL} AS version`);
    return row.version;
  }

  async find(statements: Statements, version: number): Promise<RulesVersionRecord | null> {
    const rows: RulesVersionRow[] = await statementsOf(statements).query(`SELECT ${COLUMNS} FROM rules_versions WHERE version = $1`, [version]);
    return rows.length === 0 ? null : rulesVersionRecord(rows[0]);
  }

  /** Every version, newest first. */
  async history(statements: Statements): Promise<RulesVersionRecord[]> {
    const rows: RulesVersionRow[] = await statementsOf(statements).query(`SELECT ${COLUMNS} FROM rules_versions ORDER BY version DESC`);
    return rows.map(rulesVersionRecord);
  }

  /** Records a version whose apply starts now; it decides new events once this transaction commits. */
  async begin(
    transaction: Transaction,
    version: { readonly version: number; readonly rules: unknown; readonly source: string; readonly appliedBy: string },
    now: Date,
  ): Promise<void> {
    await statementsOf(transaction).query(
      `INSERT INTO rules_versions (version, rules, source, applied_by, started_at) VALUES ($1, $2::jsonb, $3, $4, $5)`,
      [version.version, JSON.stringify(version.rules), version.source, version.appliedBy, now],
    );
  }

  async countRecomputed(transaction: Transaction, version: number, users: number): Promise<void> {
    await statementsOf(transaction).query(`UPDATE rules_versions SET users_recomputed = users_recomputed + $2 WHERE version = $1`, [version, users]);
  }

  /** Marks a version's apply finished: every user is on it. */
  async complete(transaction: Transaction, version: number, now: Date): Promise<void> {
    await statementsOf(transaction).query(`UPDATE rules_versions SET completed_at = $2 WHERE version = $1 AND completed_at IS NULL`, [version, now]);
  }
}
