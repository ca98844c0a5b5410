/**
 * Rows grouped by their user_id, in row order, each mapped to what the caller keeps of it. Every
 * user asked for is present, with an empty list when no row is theirs: "none" is an answer too.
 */
export function listsByUser<Row extends { readonly user_id: string }, Value>(
  userIds: readonly string[],
  rows: readonly Row[],
  value: (row: Row) => Value,
): Map<string, Value[]> {
  const lists = new Map<string, Value[]>(userIds.map((userId) => [userId, []]));
  for (const row of rows) {
    lists.get(row.user_id)?.push(value(row));
  }
  return lists;
}
