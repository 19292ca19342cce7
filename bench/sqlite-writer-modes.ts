import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * `npx tsx bench/sqlite-writer-modes.ts [writes]` (issue 8, "measure both"): the two ways a SQLite
 * writer can keep the event loop free while another process holds the write lock, on the same
 * five-statement write (BEGIN IMMEDIATE, insert a comment, bump a counter, insert an event, COMMIT):
 * - main thread, busy timeout 0, BEGIN IMMEDIATE retried on timers with back-off (what Quire does);
 * - a worker thread owning the writer connection (busy timeout 5 s), each statement a message;
 * - for reference, main thread with the old 5 s busy timeout (the event loop waits with the lock).
 * For each: sequential write latency, throughput with 50 writes in flight, and how late a 10 ms
 * timer fires while another thread holds the write lock for 1 s and 20 writes wait for it.
 */
const WRITES = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'quire-writer-modes-'));
const file = join(dir, 'bench.db');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const SCHEMA = `
  PRAGMA journal_mode = WAL;
  CREATE TABLE comments (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE INDEX comments_article ON comments (article_id, status, id);
  CREATE TABLE counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL);
  INSERT INTO counts VALUES ('pending', 0);
  CREATE TABLE events (id INTEGER PRIMARY KEY, type TEXT NOT NULL, resource_id INTEGER NOT NULL, at TEXT NOT NULL);`;
const STATEMENTS = [
  'INSERT INTO comments (article_id, body, status, created_at) VALUES (?, ?, ?, ?)',
  "UPDATE counts SET n = n + 1 WHERE status = 'pending'",
  "INSERT INTO events (type, resource_id, at) VALUES ('comment.created', ?, ?)",
];
const argsOf = (i: number) => [
  [i % 100, `A comment body number ${i}, long enough to look real.`, 'pending', new Date().toISOString()],
  [],
  [i, new Date().toISOString()],
];

const setup = new Database(file);
setup.exec(SCHEMA);
setup.close();

interface Writer {
  name: string;
  write(i: number): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Quire's way: a write that finds the lock taken fails at once and is retried on a timer. */
function mainThreadRetry(): Writer {
  const raw = new Database(file);
  raw.pragma('busy_timeout = 0');
  raw.pragma('synchronous = NORMAL');
  const begin = raw.prepare('BEGIN IMMEDIATE');
  const commit = raw.prepare('COMMIT');
  const statements = STATEMENTS.map((s) => raw.prepare(s));
  return {
    name: 'main thread, busy timeout 0, timer retries',
    async write(i) {
      for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
        try {
          begin.run();
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
          await sleep(delay);
        }
      }
      const args = argsOf(i);
      for (const [k, s] of statements.entries()) s.run(...args[k]!);
      commit.run();
    },
    async close() {
      raw.close();
    },
  };
}

/** The old way, for reference: the busy timeout spins inside SQLite, on the event loop's thread. */
function mainThreadBusyTimeout(): Writer {
  const raw = new Database(file);
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = NORMAL');
  const statements = STATEMENTS.map((s) => raw.prepare(s));
  const write = raw.transaction((i: number) => {
    const args = argsOf(i);
    for (const [k, s] of statements.entries()) s.run(...args[k]!);
  });
  return {
    name: 'main thread, busy timeout 5 s (the old way)',
    async write(i) {
      write.immediate(i);
    },
    async close() {
      raw.close();
    },
  };
}

/** A worker thread owns the writer; each statement of a transaction is one message round trip. */
function workerThread(): Writer {
  const require = createRequire(import.meta.url);
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.module);
     const raw = new Database(workerData.file);
     raw.pragma('busy_timeout = 5000');
     raw.pragma('synchronous = NORMAL');
     const cache = new Map();
     parentPort.on('message', ({ id, sql, args }) => {
       try {
         let s = cache.get(sql);
         if (!s) cache.set(sql, (s = raw.prepare(sql)));
         s.run(...args);
         parentPort.postMessage({ id });
       } catch (error) {
         parentPort.postMessage({ id, error: String(error) });
       }
     });`,
    { eval: true, workerData: { file, module: require.resolve('better-sqlite3') } },
  );
  let next = 0;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  worker.on('message', ({ id, error }: { id: number; error?: string }) => {
    const w = waiting.get(id)!;
    waiting.delete(id);
    if (error) w.reject(new Error(error));
    else w.resolve();
  });
  const run = (sql: string, args: unknown[] = []) =>
    new Promise<void>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, sql, args });
    });
  // One connection holds one transaction: callers take turns (the statements of a write are awaited one by one).
  let turn = Promise.resolve();
  return {
    name: 'worker thread, busy timeout 5 s, a message per statement',
    write(i) {
      const mine = turn.then(async () => {
        await run('BEGIN IMMEDIATE');
        const args = argsOf(i);
        for (const [k, sql] of STATEMENTS.entries()) await run(sql, args[k]);
        await run('COMMIT');
      });
      turn = mine.catch(() => undefined);
      return mine;
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** A thread of its own takes the write lock, keeps it `ms`, and commits. */
function holdWriteLock(ms: number) {
  const require = createRequire(import.meta.url);
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const raw = new (require(workerData.module))(workerData.file);
     raw.exec('BEGIN IMMEDIATE');
     parentPort.postMessage('held');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
     raw.exec('COMMIT');
     raw.close();`,
    { eval: true, workerData: { file, ms, module: require.resolve('better-sqlite3') } },
  );
  return {
    held: new Promise((resolve) => worker.once('message', resolve)),
    released: new Promise((resolve) => worker.once('exit', resolve)),
  };
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

async function measure(writer: Writer) {
  let i = 0;
  for (; i < 200; i++) await writer.write(i); // warm-up
  const latencies: number[] = [];
  for (let n = 0; n < WRITES; n++, i++) {
    const start = performance.now();
    await writer.write(i);
    latencies.push(performance.now() - start);
  }
  const start = performance.now();
  let issued = 0;
  const lane = async () => {
    while (issued < WRITES) {
      issued++;
      await writer.write(i++);
    }
  };
  await Promise.all(Array.from({ length: 50 }, lane));
  const perSecond = WRITES / ((performance.now() - start) / 1000);

  // Another thread holds the write lock for 1 s (as another process would) while 20 writes wait and a 10 ms timer ticks.
  const holder = holdWriteLock(1000);
  await holder.held;
  let lateness = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    lateness = Math.max(lateness, now - last - 10);
    last = now;
  }, 10);
  const blocked = Array.from({ length: 20 }, () => writer.write(i++));
  await Promise.all([...blocked, holder.released]);
  await sleep(30); // let the timer tick once after the last write
  clearInterval(ticker);
  return {
    median: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    perSecond,
    lateness,
  };
}

console.log(
  `| writer | write median ms | write p99 ms | writes/s (50 in flight) | a 10 ms timer late by, while another thread holds the lock 1 s |`,
);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const make of [mainThreadRetry, workerThread, mainThreadBusyTimeout]) {
  const writer = make();
  const r = await measure(writer);
  await writer.close();
  console.log(
    `| ${writer.name} | ${r.median.toFixed(3)} | ${r.p99.toFixed(3)} | ${Math.round(r.perSecond)} | ${Math.round(r.lateness)} ms |`,
  );
}
