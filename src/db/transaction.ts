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
  const active = new AsyncLocalStorage<Db>();
  const statements = {
    beginWrite: connection.prepare('BEGIN IMMEDIATE'),
    beginRead: connection.prepare('BEGIN DEFERRED'),
    commit: connection.prepare('COMMIT'),
    rollback: connection.prepare('ROLLBACK'),
    savepoint: connection.prepare('SAVEPOINT job'),
    release: connection.prepare('RELEASE job'),
    rollbackJob: connection.prepare('ROLLBACK TO job'),
  };
  const queue: Job[] = [];
  let draining = false;

  async function runRead(job: Job): Promise<void> {
    statements.beginRead.run();
    try {
      const result = await active.run(writer, () => job.fn(writer));
      statements.commit.run();
      job.resolve(result);
    } catch (error) {
      if (connection.inTransaction) statements.rollback.run();
      job.reject(error);
    }
  }

  async function runBatch(batch: Job[]): Promise<void> {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      statements.beginWrite.run();
      let touched = false;
      for (const job of batch) {
        statements.savepoint.run();
        try {
          const value = await active.run(writer, () => job.fn(writer));
          statements.release.run();
          outcomes.push({ ok: true, value });
          touched ||= job.options.touchesContent !== false;
        } catch (error) {
          statements.rollbackJob.run();
          statements.release.run();
          outcomes.push({ ok: false, value: error });
        }
      }
      if (touched) await bumpContentVersion(writer);
      statements.commit.run();
    } catch (error) {
      if (connection.inTransaction) statements.rollback.run();
      for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, i) => (outcomes[i]!.ok ? job.resolve(outcomes[i]!.value) : job.reject(outcomes[i]!.value)));
  }

  async function drain(): Promise<void> {
    draining = true;
    while (queue.length > 0) {
      // One turn of the event loop first: writes arriving on other sockets join this batch.
      await new Promise((resolve) => setImmediate(resolve));
      if (queue[0]!.options.readOnly) {
        await runRead(queue.shift()!);
        continue;
      }
      const end = queue.findIndex((job) => job.options.readOnly);
      const batch = queue.splice(0, Math.min(end === -1 ? queue.length : end, MAX_BATCH));
      await runBatch(batch);
    }
    draining = false;
  }

  return function withTransaction<T>(fn: (tx: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const outer = active.getStore();
    // A nested call joins the transaction it runs in, instead of waiting on itself.
    if (outer) return fn(outer);
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
