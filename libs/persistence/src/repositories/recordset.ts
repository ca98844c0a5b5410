/**
 * The rows of a set-based statement as one parameter, read in SQL by
 * `json_to_recordset($n::json) AS v(column type, …)`: every column is named in the statement and
 * typed in the row's interface, where parallel positional arrays would be neither.
 * json rather than jsonb: the parameter is read once, so a conversion to jsonb would only cost time
 * (and would reorder the keys of an outbox payload).
 */
export function recordset<Row extends object>(rows: readonly Row[]): string {
  return JSON.stringify(rows);
}
