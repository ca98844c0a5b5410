import type { Pool } from 'pg';

/** What one kind of statement cost the database over a stage. */
export interface StatementCost {
  readonly stage: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly rows: number;
}

/**
 * The stage of the engine's work a statement belongs to, read from its text: the engine's statements
 * are few and fixed, so their text says what they do.
 */
function stageOf(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim();
  const rules: Array<[RegExp, string]> = [
    [/^(BEGIN|START TRANSACTION)/i, 'begin'],
    [/^COMMIT/i, 'commit'],
    [/^ROLLBACK/i, 'rollback'],
    [/count\(\*\)::int AS unsent, min\(created_at\)/i, 'metrics: outbox lag'],
    [/FROM outbox_messages WHERE sent_at IS NULL/i, 'relay: take unsent rows'],
    [/^UPDATE outbox_messages SET sent_at/i, 'relay: mark sent'],
    [/^INSERT INTO outbox_messages/i, 'write: outbox'],
    [/^INSERT INTO processed_events/i, 'write: ledger (processed_events)'],
    // Builds before the ledger was written whole (cbcccf7 and older) updated the outcome at the end.
    [/^UPDATE processed_events/i, 'write: ledger outcomes (processed_events)'],
    [/^SELECT event_id FROM processed_events/i, 'ledger read: recorded already'],
    [/^(WITH stored AS \( )?UPDATE user_profiles/i, 'write: profiles'],
    [/^INSERT INTO user_profiles/i, 'lock: new profiles'],
    [/FROM user_profiles .*FOR UPDATE/i, 'lock: profiles'],
    [/^SELECT .* FROM practice_days/i, 'read: practice days'],
    [/^SELECT .* FROM user_badges/i, 'read: badges'],
    [/^SELECT .* FROM daily_challenges/i, 'read: challenges'],
    [/^INSERT INTO practice_days/i, 'write: practice days'],
    [/^INSERT INTO user_badges/i, 'write: badges'],
    [/^INSERT INTO daily_challenges/i, 'write: challenges'],
    [/leaderboard_entries|leaderboard_projections/i, 'write: leaderboards'],
    [/rules_versions/i, 'read: rules'],
  ];
  return rules.find(([pattern]) => pattern.test(text))?.[1] ?? `other: ${text.slice(0, 60)}`;
}

/**
 * pg_stat_statements over a stage of the bench, in the bench's database. The module must be in
 * shared_preload_libraries (a server setting, so the bench does not change it); without it, `start`
 * returns null and the bench says how to turn it on. The bench's own polling is counted apart.
 */
export class StatementProfile {
  private constructor(private readonly pool: Pool) {}

  static async start(pool: Pool): Promise<StatementProfile | null> {
    const { rows } = await pool.query<{ libraries: string }>(`SELECT current_setting('shared_preload_libraries') AS libraries`);
    if (!rows[0].libraries.split(',').map((name) => name.trim()).includes('pg_stat_statements')) {
      return null;
    }
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pool.query('SELECT pg_stat_statements_reset()');
    return new StatementProfile(pool);
  }

  /** The cost of each stage since `start`, most expensive first. */
  async costs(): Promise<StatementCost[]> {
    const { rows } = await this.pool.query<{ query: string; calls: string; total: number; rows: string }>(
      `SELECT query, calls, total_exec_time AS total, rows FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const stages = new Map<string, { calls: number; totalMs: number; rows: number }>();
    for (const row of rows) {
      if (/pg_stat_statements/i.test(row.query)) {
        continue;
      }
      const stage = /count\(\*\)::int FROM processed_events WHERE user_id LIKE/i.test(row.query) ? 'the bench: polling for the end' : stageOf(row.query);
      const cost = stages.get(stage) ?? { calls: 0, totalMs: 0, rows: 0 };
      cost.calls += Number(row.calls);
      cost.totalMs += row.total;
      cost.rows += Number(row.rows);
      stages.set(stage, cost);
    }
    return [...stages].map(([stage, cost]) => ({ stage, ...cost })).sort((a, b) => b.totalMs - a.totalMs);
  }
}
