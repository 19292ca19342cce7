import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { Db } from '../schema.js';
import { bumpContentVersion, type TransactionOptions, type WithTransaction } from '../transaction.js';

interface Job {
  fn: (tx: Db) => Promise<unknown>;
  options: TransactionOptions;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A connection and the drizzle handle over it. */
export interface Connection {
  db: Db;
  raw: Database.Database;
}

/** The transaction a job runs in, as nested calls see it. */
interface Scope {
  /** False once the job has settled: a call that outlives it must not write into a later job. */
  open: boolean;
  readOnly: boolean;
  on: Connection;
  /** Shared by a job and its nested calls: whether any of them touched content. */
  job: { touched: boolean };
  depth: number;
}

export interface TransactorOptions {
  /** How long a write waits for another process's write lock before it is refused as busy. */
  busyWaitMs: number;
  /** Throws when writing would be pointless (the database file is gone): checked before each batch. */
  beforeWrite?: () => void;
  /** Filled in by the transactor so the handles can report it: busy retries so far, and the write queue. */
  stats?: { busyRetries: number; writerQueueDepth: () => number };
}

// Writes waiting together are committed together: one COMMIT (one WAL write) per batch.
const MAX_BATCH = 64;

const isBusy = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function statementsOf(raw: Database.Database) {
  return {
    beginWrite: raw.prepare('BEGIN IMMEDIATE'),
    beginRead: raw.prepare('BEGIN DEFERRED'),
    commit: raw.prepare('COMMIT'),
    rollback: raw.prepare('ROLLBACK'),
  };
}

function rollbackQuietly(on: Connection): void {
  try {
    if (on.raw.open && on.raw.inTransaction) on.raw.exec('ROLLBACK');
  } catch {
    // The connection is gone or already rolled back: nothing is left to undo.
  }
}

/**
 * better-sqlite3 cannot hold a transaction open across `await`, so writes run as
 * BEGIN IMMEDIATE … COMMIT on the dedicated writer connection, one batch at a time. Each caller's
 * work runs in its own SAVEPOINT, so it lands whole or not at all, exactly as if it ran alone;
 * its promise settles only after the COMMIT (group commit).
 *
 * The writer's busy timeout is zero: when another process holds the write lock, BEGIN IMMEDIATE
 * fails at once and is retried on timers with back-off, so the event loop (reads, cache hits,
 * health checks) never waits for the lock; after `busyWaitMs` the queued writes are refused as
 * busy (503 with Retry-After). Consistent reads (`readOnly`) run on a connection of their own, so
 * they never queue behind writes waiting for a lock.
 */
export function createTransactor(
  writer: Connection,
  snapshot: Connection,
  options: TransactorOptions,
): WithTransaction {
  const active = new AsyncLocalStorage<Scope>();
  const writerStatements = statementsOf(writer.raw);
  const snapshotStatements = statementsOf(snapshot.raw);
  const writes: Job[] = [];
  const reads: Job[] = [];
  let drainingWrites = false;
  let drainingReads = false;
  // Writes not yet settled: waiting in the queue, or in the batch now running (perhaps waiting for the lock).
  let running = 0;
  if (options.stats) options.stats.writerQueueDepth = () => writes.length + running;

  /** Runs `fn` inside a savepoint of the current transaction: it lands whole or not at all. */
  async function inSavepoint<T>(scope: Scope, fn: () => Promise<T>): Promise<T> {
    const name = `sp${scope.depth}`;
    const { raw } = scope.on;
    raw.exec(`SAVEPOINT ${name}`);
    try {
      const value = await fn();
      raw.exec(`RELEASE ${name}`);
      return value;
    } catch (error) {
      if (raw.open && raw.inTransaction) raw.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    }
  }

  /** BEGIN IMMEDIATE, retried without blocking while another process holds the write lock. */
  async function beginWrite(): Promise<void> {
    options.beforeWrite?.();
    const deadline = Date.now() + options.busyWaitMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        writerStatements.beginWrite.run();
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        if (options.stats) options.stats.busyRetries += 1;
        await sleep(Math.min(delay + Math.random() * delay, Math.max(1, deadline - Date.now())));
      }
    }
  }

  async function runRead(job: Job): Promise<void> {
    const scope: Scope = { open: true, readOnly: true, on: snapshot, job: { touched: false }, depth: 0 };
    try {
      snapshotStatements.beginRead.run();
      const result = await active.run(scope, () => job.fn(snapshot.db));
      snapshotStatements.commit.run();
      job.resolve(result);
    } catch (error) {
      rollbackQuietly(snapshot);
      job.reject(error);
    } finally {
      scope.open = false;
    }
  }

  async function runBatch(batch: Job[]): Promise<void> {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    const scopes: Scope[] = [];
    try {
      await beginWrite();
      let touched = false;
      for (const job of batch) {
        const scope: Scope = {
          open: true,
          readOnly: false,
          on: writer,
          job: { touched: job.options.touchesContent !== false },
          depth: 0,
        };
        scopes.push(scope);
        try {
          const value = await inSavepoint(scope, () => active.run(scope, () => job.fn(writer.db)));
          outcomes.push({ ok: true, value });
          touched ||= scope.job.touched;
        } catch (error) {
          outcomes.push({ ok: false, value: error });
        } finally {
          scope.open = false;
        }
      }
      // SQLite rolls the whole transaction back by itself on some errors (a full disk while a full-text
      // index grows): every job of the batch is then lost, and each gets the error that ended it.
      if (!writer.raw.inTransaction) throw outcomes.find((o) => !o.ok)?.value ?? new Error('transaction ended early');
      if (touched) await bumpContentVersion(writer.db);
      writerStatements.commit.run();
    } catch (error) {
      for (const scope of scopes) scope.open = false;
      rollbackQuietly(writer);
      for (const job of batch) job.reject(error);
      return;
    }
    for (const [i, job] of batch.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.value);
    }
  }

  async function drainWrites(): Promise<void> {
    drainingWrites = true;
    try {
      while (writes.length > 0) {
        // One turn of the event loop first: writes arriving on other sockets join this batch.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = writes.splice(0, MAX_BATCH);
        running = batch.length;
        try {
          await runBatch(batch);
        } finally {
          running = 0;
        }
      }
    } finally {
      drainingWrites = false;
    }
  }

  async function drainReads(): Promise<void> {
    drainingReads = true;
    try {
      while (reads.length > 0) {
        // A turn of the event loop between reads: a caller reading in a loop must not starve the writer
        // (better-sqlite3 answers synchronously, so awaiting alone would never yield to timers or I/O).
        await new Promise((resolve) => setImmediate(resolve));
        await runRead(reads.shift()!);
      }
    } finally {
      drainingReads = false;
    }
  }

  return function withTransaction<T>(fn: (tx: Db) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
    const outer = active.getStore();
    if (outer?.open) {
      // A nested call joins the transaction it runs in (instead of waiting on itself), in a savepoint of its own.
      if (outer.readOnly && !txOptions.readOnly)
        return Promise.reject(new Error('withTransaction: a write cannot nest inside a read-only transaction'));
      if (!txOptions.readOnly && txOptions.touchesContent !== false) outer.job.touched = true;
      const nested: Scope = { ...outer, depth: outer.depth + 1 };
      return inSavepoint(nested, () => active.run(nested, () => fn(outer.on.db))).finally(() => (nested.open = false));
    }
    return new Promise<T>((resolve, reject) => {
      const job = { fn, options: txOptions, resolve: resolve as (value: unknown) => void, reject };
      if (txOptions.readOnly) {
        reads.push(job);
        if (!drainingReads) void drainReads();
      } else {
        writes.push(job);
        if (!drainingWrites) void drainWrites();
      }
    });
  };
}
