import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Db } from '../schema.js';
import { bumpContentVersion, type TransactionOptions, type WithTransaction } from '../transaction.js';
import { CONTENT_CHANNEL } from './content-listener.js';

interface Scope {
  tx: Db;
  readOnly: boolean;
  /** Whether this transaction or a call nested in it touched public content. */
  touched: boolean;
  /** False once the transaction has settled: a call that outlives it must not write into another. */
  open: boolean;
}

// Serialization failures and deadlocks are the database asking for a retry of the whole transaction.
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Transactions on a pooled client: READ COMMITTED for writes, whose check-then-write rows are
 * locked with `forUpdate`; REPEATABLE READ, READ ONLY for consistent multi-statement reads.
 * A serialization failure or deadlock reruns the whole callback a bounded number of times, then
 * surfaces (as a 503 with Retry-After).
 */
export function createPostgresTransactor(
  orm: PgDatabase<PgQueryResultHKT>,
  /** Told the version a committed transaction bumped to (this process's own writes, before their NOTIFY). */
  onCommitted?: (version: number) => void,
  stats: { busyRetries: number } = { busyRetries: 0 },
): WithTransaction {
  const active = new AsyncLocalStorage<Scope>();

  return async function withTransaction<T>(fn: (tx: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const readOnly = options.readOnly === true;
    const outer = active.getStore();
    if (outer?.open) {
      if (outer.readOnly && !readOnly)
        throw new Error('withTransaction: a write cannot nest inside a read-only transaction');
      if (!readOnly && options.touchesContent !== false) outer.touched = true;
      // A savepoint of its own inside the transaction it runs in.
      return outer.tx.transaction((sp) => fn(sp as Db));
    }
    for (let attempt = 1; ; attempt += 1) {
      let bumped: number | undefined;
      try {
        const result = await orm.transaction(
          async (tx) => {
            const scope: Scope = {
              tx: tx as Db,
              readOnly,
              touched: !readOnly && options.touchesContent !== false,
              open: true,
            };
            let value: T;
            try {
              value = await active.run(scope, () => fn(tx as Db));
            } finally {
              // Closed as soon as the caller's work settles: a call it left behind starts a transaction of its own.
              scope.open = false;
            }
            if (scope.touched) {
              await bumpContentVersion(tx as Db);
              // Every listening process learns the new version at commit (LISTEN/NOTIFY).
              const notified = await tx.execute(
                sql`select version, pg_notify(${CONTENT_CHANNEL}, version::text) from content_version where id = 1`,
              );
              bumped = Number((notified as unknown as { rows: { version: number }[] }).rows[0]?.version);
            }
            return value;
          },
          readOnly
            ? { isolationLevel: 'repeatable read', accessMode: 'read only' }
            : { isolationLevel: 'read committed' },
        );
        if (bumped !== undefined && onCommitted) onCommitted(bumped);
        return result;
      } catch (error) {
        const state = sqlState(error);
        if (!state || !RETRYABLE.has(state) || attempt >= MAX_ATTEMPTS) throw error;
        stats.busyRetries += 1;
        await pause(Math.random() * 10 * 2 ** attempt);
      }
    }
  };
}
