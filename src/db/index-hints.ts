import { type SQL, sql, type Table } from 'drizzle-orm';
import { type Db, dialectOf } from './schema.js';

/**
 * A table to read through a named index. SQLite's planner, without statistics, prefers a range on
 * another index and sorts every row; `INDEXED BY` keeps a keyset walk a walk. PostgreSQL chooses
 * by its statistics and the LIMIT, so it gets the bare table.
 */
export function tableThroughIndex(db: Db, table: Table, index: string): SQL {
  return dialectOf(db) === 'sqlite' ? sql`${table} indexed by ${sql.identifier(index)}` : sql`${table}`;
}
