import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { type Db, dialectOf } from './schema.js';

/** The first row of an awaited query, or undefined: the same on both engines. */
export async function first<Row>(query: PromiseLike<Row[]>): Promise<Row | undefined> {
  return (await query)[0];
}

/**
 * The column, kept out of index selection: on SQLite a unary `+` (SQLite has no statistics unless
 * ANALYZE ran, and would pick an index on an equality over the primary key's order); PostgreSQL's
 * planner weighs them with its statistics, so the column is left as it is.
 */
export function unindexed(db: Db, column: SQLWrapper): SQL {
  return dialectOf(db) === 'postgres' ? sql`${column}` : sql`+${column}`;
}
