import { getTableColumns, getTableName, sql, type Table } from 'drizzle-orm';
import { type Db, dialectOf, tablesOf } from './schema.js';

// SQLite allows 32,766 bound values per statement (PostgreSQL 65,535); stay well under both.
const MAX_VALUES_PER_STATEMENT = 30_000;

/** Inserts many rows with multi-row INSERTs, as few statements as the value limit allows. */
export async function insertRows<T extends Table>({
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
    await db.insert(table as never).values(rows.slice(start, start + perStatement) as never);
  }
}

/**
 * After rows were inserted with explicit ids (bulk loads, imports), PostgreSQL's identity
 * sequences still start at 1: move each past the highest id. SQLite needs nothing.
 */
export async function syncIdSequences({ db }: { db: Db }): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  for (const table of Object.values(tablesOf(db))) {
    const columns = getTableColumns(table as Table);
    const id = columns.id;
    if (!id || !('generatedIdentity' in id) || !id.generatedIdentity) continue;
    await db.execute(
      sql`select setval(pg_get_serial_sequence(${`"${getTableName(table as Table)}"`}, 'id'), coalesce((select max(id) from ${table}), 0) + 1, false)`,
    );
  }
}
