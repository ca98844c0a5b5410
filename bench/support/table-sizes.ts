import type { Pool } from 'pg';

export interface TableSize {
  readonly table: string;
  readonly rows: number;
  /** pg_total_relation_size: heap, indexes and TOAST. */
  readonly bytes: number;
}

export interface TableSample {
  readonly minute: number;
  readonly eventsProduced: number;
  readonly tables: readonly TableSize[];
}

/** Every table of the public schema with its exact row count and total size, in one statement. */
export async function tableSizes(pool: Pool): Promise<TableSize[]> {
  const { rows } = await pool.query<{ table_name: string; row_count: string; total_bytes: string }>(
    `SELECT t.table_name,
            (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', t.table_schema, t.table_name), false, true, '')))[1]::text
              AS row_count,
            pg_total_relation_size(format('%I.%I', t.table_schema, t.table_name)::regclass) AS total_bytes
     FROM information_schema.tables t
     WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
     ORDER BY t.table_name`,
  );
  return rows.map((row) => ({ table: row.table_name, rows: Number(row.row_count), bytes: Number(row.total_bytes) }));
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/**
 * One line per table: rows and size at the first and last sample, the growth over the last third of
 * the run (flat is near 0 %), and the bytes each produced event added over the whole run.
 */
export function tableSizeReport(samples: readonly TableSample[]): string[] {
  const first = samples[0];
  const last = samples.at(-1)!;
  const lastThird = samples[Math.max(0, Math.floor((samples.length * 2) / 3) - 1)];
  const events = last.eventsProduced - first.eventsProduced;
  const at = (sample: TableSample, table: string): TableSize =>
    sample.tables.find((size) => size.table === table) ?? { table, rows: 0, bytes: 0 };
  const growth = (from: number, to: number): string => (from === 0 ? (to === 0 ? '0 %' : 'new') : `${(((to - from) / from) * 100).toFixed(0)} %`);
  const lines = [
    `| table | rows at minute ${first.minute.toFixed(0)} | rows at minute ${last.minute.toFixed(0)} | MB at start | MB at end | rows, last third | MB, last third | bytes per event |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { table } of last.tables) {
    const [start, third, end] = [at(first, table), at(lastThird, table), at(last, table)];
    const perEvent = events === 0 ? 0 : (end.bytes - start.bytes) / events;
    lines.push(
      `| ${table} | ${start.rows} | ${end.rows} | ${megabytes(start.bytes)} | ${megabytes(end.bytes)} | ${growth(third.rows, end.rows)} | ${growth(third.bytes, end.bytes)} | ${perEvent.toFixed(0)} |`,
    );
  }
  return lines;
}
