import type { DatabaseHandles } from './client.js';

/** What one item of a batch came to: its value, the problem it alone answers with, or a request for a transaction of its own. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown } | { alone: true };

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

// Items waiting for a batch, per database: writes waiting for their turn, as /metrics reports them.
const waitingOn = new WeakMap<DatabaseHandles, { count: number }>();

/** Items of every group commit on `db` waiting for their batch. */
export function groupCommitWaiting(db: DatabaseHandles): number {
  return waitingOn.get(db)?.count ?? 0;
}

// The drains running per database, so closing it can wait for what was accepted (a client gone or not).
const drainsOn = new WeakMap<DatabaseHandles, Set<Promise<void>>>();

/** Resolves once every group commit on `db` has written (or refused) everything queued: before the database closes. */
export async function groupCommitsSettled(db: DatabaseHandles): Promise<void> {
  const drains = drainsOn.get(db);
  while (drains && drains.size > 0) await Promise.all(drains);
}

/**
 * Group commit: items that arrive while a batch is being written wait, and go together in the
 * next batch (one transaction, multi-row statements); the first item after a quiet spell goes at
 * once. `write` answers each item of a batch; if it throws (the transaction rolled back), the
 * batch is written again one item at a time, so one bad item never fails another, unless the
 * error is `shared`: one that says nothing about any item (the database busy or gone), which
 * every item of the batch gets at once rather than one wait after another.
 */
export function groupCommit<T, R>(
  db: DatabaseHandles,
  write: (items: readonly T[]) => Promise<Settled<R>[]>,
  { maxBatch, shared = () => false }: { maxBatch: number; shared?: (error: unknown) => boolean },
): (item: T) => Promise<R> {
  const queue: Waiting<T, R>[] = [];
  let running = false;
  let waiting = waitingOn.get(db);
  if (waiting === undefined) {
    waiting = { count: 0 };
    waitingOn.set(db, waiting);
  }
  const counter = waiting;

  async function settle(batch: Waiting<T, R>[]): Promise<void> {
    let results: Settled<R>[];
    try {
      results = await write(batch.map((w) => w.item));
    } catch (error) {
      if (batch.length === 1 || shared(error)) for (const waiting of batch) waiting.reject(error);
      else for (const waiting of batch) await settle([waiting]);
      return;
    }
    const alone: Waiting<T, R>[] = [];
    batch.forEach((waiting, i) => {
      const result = results[i];
      if (result === undefined) waiting.reject(new Error('group commit: no result for an item'));
      else if ('alone' in result) alone.push(waiting);
      else if (result.ok) waiting.resolve(result.value);
      else waiting.reject(result.error);
    });
    // A batch of one must settle its item: asking to be alone again would loop.
    if (batch.length === 1 && alone.length === 1)
      alone[0]!.reject(new Error('group commit: a lone item asked to be alone'));
    else for (const waiting of alone) await settle([waiting]);
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        counter.count -= batch.length;
        await settle(batch);
      }
    } finally {
      running = false;
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      counter.count += 1;
      if (!running) {
        let drains = drainsOn.get(db);
        if (drains === undefined) {
          drains = new Set();
          drainsOn.set(db, drains);
        }
        const pass = drain().finally(() => drains.delete(pass));
        drains.add(pass);
      }
    });
}
