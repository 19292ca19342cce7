import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type * as schema from './schema.js';
import { contentVersion } from './schema.js';

type Db = BetterSQLite3Database<typeof schema>;

export interface TransactionOptions {
  /** False for writes that change nothing a public reader sees (key bookkeeping, secrets). */
  touchesContent?: boolean;
  /** A consistent multi-statement read: one snapshot, no write lock, nothing bumped. */
  readOnly?: boolean;
}

export type WithTransaction = <T>(fn: (tx: Db) => Promise<T>, options?: TransactionOptions) => Promise<T>;

/** Serialises async callers: each task starts when the previous one has settled. */
function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * better-sqlite3 cannot hold a transaction open across `await`, so writes run as
 * BEGIN IMMEDIATE … COMMIT on the dedicated writer connection, one at a time behind a mutex.
 * Reads use another connection and never see uncommitted rows.
 */
export function createTransactor(writer: Db, connection: Database.Database): WithTransaction {
  const exclusive = createMutex();
  const active = new AsyncLocalStorage<Db>();

  return async function withTransaction(fn, options = {}) {
    const outer = active.getStore();
    // A nested call joins the transaction it runs in, instead of waiting on itself.
    if (outer) return fn(outer);
    return exclusive(() =>
      active.run(writer, async () => {
        connection.exec(options.readOnly ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
        try {
          const result = await fn(writer);
          if (!options.readOnly && options.touchesContent !== false) await bumpContentVersion(writer);
          connection.exec('COMMIT');
          return result;
        } catch (error) {
          if (connection.inTransaction) connection.exec('ROLLBACK');
          throw error;
        }
      }),
    );
  };
}

async function bumpContentVersion(tx: Db): Promise<void> {
  await tx
    .update(contentVersion)
    .set({ version: sql`${contentVersion.version} + 1`, updatedAt: new Date().toISOString() })
    .where(sql`${contentVersion.id} = 1`);
}
