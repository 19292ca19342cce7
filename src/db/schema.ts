import { is } from 'drizzle-orm';
import { PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as postgresTables from './postgres/schema.js';
import * as sqliteTables from './sqlite/schema.js';

export * from './enums.js';

/**
 * The handle every repository receives: a database or a transaction, on either engine. It is
 * typed with drizzle's PostgreSQL query builders, the stricter face (no synchronous
 * `.get()/.all()/.run()`): repositories only build queries and await them, which both engines
 * answer alike. The SQLite handle runs the same builders.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

export type Dialect = 'sqlite' | 'postgres';

/** The tables, as each engine declares them; both schemas have the same tables and columns. */
export type Tables = typeof postgresTables;

export function dialectOf(db: Db): Dialect {
  return is(db, PgDatabase) ? 'postgres' : 'sqlite';
}

/** The tables of the engine behind `db`, to build its queries with. */
export function tablesOf(db: Db): Tables {
  return dialectOf(db) === 'postgres' ? postgresTables : (sqliteTables as unknown as Tables);
}

type T = Tables;
export type ArticleRow = T['articles']['$inferSelect'];
export type CommentRow = T['comments']['$inferSelect'];
export type ProductRow = T['products']['$inferSelect'];
export type ApiKeyRow = T['apiKeys']['$inferSelect'];
export type ModerationEventRow = T['moderationEvents']['$inferSelect'];
