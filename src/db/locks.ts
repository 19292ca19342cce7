import type { PgSelect } from 'drizzle-orm/pg-core';
import { type Db, dialectOf } from './schema.js';

/**
 * Row locks for check-then-write: the rows a transaction reads to decide a write stay as read
 * until it commits. On PostgreSQL `SELECT … FOR UPDATE`; on SQLite a plain read, since its single
 * writer already runs one write transaction at a time.
 *
 * Locking order, everywhere, so two writers never wait on each other in a cycle:
 *   1. the article (content_version is only bumped at commit, after every row lock),
 *   2. its sections, tips and product links (through the article: never locked on their own),
 *   3. comments, in ascending id order.
 */
export function forUpdate<Q extends PgSelect>(db: Db, query: Q): Q {
  return dialectOf(db) === 'postgres' ? (query.for('update') as Q) : query;
}

/**
 * Work-queue claims: rows another transaction holds are skipped rather than waited for, so
 * several processes each take different rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite
 * the single writer already runs one claim at a time).
 */
export function forUpdateSkipLocked<Q extends PgSelect>(db: Db, query: Q): Q {
  return dialectOf(db) === 'postgres' ? (query.for('update', { skipLocked: true }) as Q) : query;
}
