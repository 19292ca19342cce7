import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client.js';

// SQLite allows 32,766 bound values per statement; stay well under it.
const MAX_VALUES_PER_STATEMENT = 30_000;

/** Inserts many rows with multi-row INSERTs, as few statements as the value limit allows. */
export async function insertRows<T extends SQLiteTable>({
  db,
  table,
  rows,
}: {
  db: Db;
  table: T;
  rows: T['$inferInsert'][];
}): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object).length || 1;
  const perStatement = Math.max(1, Math.floor(MAX_VALUES_PER_STATEMENT / columns));
  for (let start = 0; start < rows.length; start += perStatement) {
    await db.insert(table).values(rows.slice(start, start + perStatement) as never);
  }
}
