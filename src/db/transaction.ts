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

interface Job {
  fn: (tx: Db) => Promise<unknown>;
  options: TransactionOptions;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The transaction a job runs in, as nested calls see it. */
interface Scope {
  /** False once the job has settled: a call that outlives it must not write into a later job. */
  open: boolean;
  readOnly: boolean;
  /** Shared by a job and its nested calls: whether any of them touched content. */
  job: { touched: boolean };
  depth: number;
}

// Writes waiting together are committed together: one COMMIT (one WAL write) per batch.
const MAX_BATCH = 64;

/**
 * better-sqlite3 cannot hold a transaction open across `await`, so writes run as
 * BEGIN IMMEDIATE … COMMIT on the dedicated writer connection, one batch at a time. Each caller's
 * work runs in its own SAVEPOINT, so it lands whole or not at all, exactly as if it ran alone;
 * its promise settles only after the COMMIT (group commit). Reads use another connection and
 * never see uncommitted rows.
 */
export function createTransactor(writer: Db, connection: Database.Database): WithTransaction {
  const active = new AsyncLocalStorage<Scope>();
  const statements = {
    beginWrite: connection.prepare('BEGIN IMMEDIATE'),
    beginRead: connection.prepare('BEGIN DEFERRED'),
    commit: connection.prepare('COMMIT'),
    rollback: connection.prepare('ROLLBACK'),
  };
  const queue: Job[] = [];
  let draining = false;

  const rollbackQuietly = () => {
    try {
      if (connection.open && connection.inTransaction) statements.rollback.run();
    } catch {
      // The connection is gone or already rolled back: nothing is left to undo.
    }
  };

  /** Runs `fn` inside a savepoint of the current transaction: it lands whole or not at all. */
  async function inSavepoint<T>(scope: Scope, fn: () => Promise<T>): Promise<T> {
    const name = `sp${scope.depth}`;
    connection.exec(`SAVEPOINT ${name}`);
    try {
      const value = await fn();
      connection.exec(`RELEASE ${name}`);
      return value;
    } catch (error) {
      if (connection.open && connection.inTransaction) connection.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    }
  }

  async function runRead(job: Job): Promise<void> {
    const scope: Scope = { open: true, readOnly: true, job: { touched: false }, depth: 0 };
    try {
      statements.beginRead.run();
      const result = await active.run(scope, () => job.fn(writer));
      statements.commit.run();
      job.resolve(result);
    } catch (error) {
      rollbackQuietly();
      job.reject(error);
    } finally {
      scope.open = false;
    }
  }

  async function runBatch(batch: Job[]): Promise<void> {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    const scopes: Scope[] = [];
    try {
      statements.beginWrite.run();
      let touched = false;
      for (const job of batch) {
        const scope: Scope = {
          open: true,
          readOnly: false,
          job: { touched: job.options.touchesContent !== false },
          depth: 0,
        };
        scopes.push(scope);
        try {
          const value = await inSavepoint(scope, () => active.run(scope, () => job.fn(writer)));
          outcomes.push({ ok: true, value });
          touched ||= scope.job.touched;
        } catch (error) {
          outcomes.push({ ok: false, value: error });
        } finally {
          scope.open = false;
        }
      }
      if (touched) await bumpContentVersion(writer);
      statements.commit.run();
    } catch (error) {
      for (const scope of scopes) scope.open = false;
      rollbackQuietly();
      for (const job of batch) job.reject(error);
      return;
    }
    for (const [i, job] of batch.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.value);
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        // One turn of the event loop first: writes arriving on other sockets join this batch.
        await new Promise((resolve) => setImmediate(resolve));
        if (queue[0]!.options.readOnly) {
          await runRead(queue.shift()!);
          continue;
        }
        const end = queue.findIndex((job) => job.options.readOnly);
        await runBatch(queue.splice(0, Math.min(end === -1 ? queue.length : end, MAX_BATCH)));
      }
    } finally {
      draining = false;
    }
  }

  return function withTransaction<T>(fn: (tx: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const outer = active.getStore();
    if (outer?.open) {
      // A nested call joins the transaction it runs in (instead of waiting on itself), in a savepoint of its own.
      if (outer.readOnly && !options.readOnly)
        return Promise.reject(new Error('withTransaction: a write cannot nest inside a read-only transaction'));
      if (!options.readOnly && options.touchesContent !== false) outer.job.touched = true;
      const nested: Scope = { ...outer, depth: outer.depth + 1 };
      return inSavepoint(nested, () => active.run(nested, () => fn(writer))).finally(() => (nested.open = false));
    }
    return new Promise<T>((resolve, reject) => {
      queue.push({ fn, options, resolve: resolve as (value: unknown) => void, reject });
      if (!draining) void drain();
    });
  };
}
async function bumpContentVersion(tx: Db): Promise<void> {
  await tx
    .update(contentVersion)
    .set({ version: sql`${contentVersion.version} + 1`, updatedAt: new Date().toISOString() })
    .where(sql`${contentVersion.id} = 1`);
}
