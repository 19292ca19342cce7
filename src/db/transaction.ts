import { sql } from 'drizzle-orm';
import { type Db, tablesOf } from './schema.js';

export interface TransactionOptions {
  /** False for writes that change nothing a public reader sees (key bookkeeping, secrets). */
  touchesContent?: boolean;
  /** A consistent multi-statement read: one snapshot, no write lock, nothing bumped. */
  readOnly?: boolean;
}

/**
 * Every multi-statement write runs in `withTransaction(async (tx) => …)`: it lands whole or not
 * at all, and bumps the content version (public ETags derive from it) unless told it touches no
 * content. A call made inside another joins it in a savepoint of its own.
 *
 * SQLite (src/db/sqlite/transaction.ts): one writer connection, BEGIN IMMEDIATE, group commit.
 * PostgreSQL (src/db/postgres/transaction.ts): a pooled client, READ COMMITTED for writes
 * (REPEATABLE READ, READ ONLY for consistent reads), serialization failures and deadlocks retried.
 * Check-then-write code locks what it checks with `forUpdate` (src/db/locks.ts), whose comment
 * gives the one locking order every write follows.
 */
export type WithTransaction = <T>(fn: (tx: Db) => Promise<T>, options?: TransactionOptions) => Promise<T>;

/** One more content version: every process's public ETags move with it. */
export async function bumpContentVersion(tx: Db): Promise<void> {
  const { contentVersion } = tablesOf(tx);
  await tx
    .update(contentVersion)
    .set({ version: sql`${contentVersion.version} + 1`, updatedAt: new Date().toISOString() })
    .where(sql`${contentVersion.id} = 1`);
}
