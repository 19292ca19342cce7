import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { DatabaseHandles, OpenDatabaseOptions } from '../client.js';
import { insertInstanceRows, migrationsFolder } from '../migrate.js';
import type { Db } from '../schema.js';
import { COMMENT_TERMS } from './text-search.js';
import { createTransactor } from './transaction.js';

/** The file a SQLite DATABASE_URL names; null for ":memory:". */
export function sqlitePathOf(url: string): string | null {
  if (url === ':memory:') return null;
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
}

// better-sqlite3 does not open URI filenames, so two connections cannot share a plain in-memory
// database: ":memory:" becomes a private temporary file, removed when the database closes.
function resolveLocation(url: string): { path: string; temporary: string | null } {
  const path = sqlitePathOf(url);
  if (path === null) {
    const dir = mkdtempSync(join(tmpdir(), 'quire-'));
    return { path: join(dir, 'quire.db'), temporary: dir };
  }
  mkdirSync(dirname(path), { recursive: true });
  return { path, temporary: null };
}

type Role = 'reader' | 'snapshot' | 'writer';

// Before serving (WAL switch, migrations), waiting inside SQLite blocks nothing: processes starting together take turns.
const START_UP_WAIT_MS = 10_000;
// 16 MiB of 4 KiB pages.
export const WAL_CHECKPOINT_PAGES = 4000;

function openConnection(path: string, opts: OpenDatabaseOptions, role: Role) {
  const conn = new Database(path, opts.trace ? { verbose: (message) => opts.trace?.(String(message)) } : {});
  // The writer never waits inside SQLite (that would block the event loop): it retries on timers
  // (src/db/sqlite/transaction.ts). Readers in WAL mode do not wait for writers; the short timeout
  // only covers a checkpoint or recovery by another process.
  conn.pragma(`busy_timeout = ${role === 'writer' ? START_UP_WAIT_MS : 50}`);
  conn.pragma('foreign_keys = ON');
  // WAL: readers see the last committed state and never wait for the writer.
  if (role === 'writer') conn.pragma('journal_mode = WAL');
  // A checkpoint runs inside the commit that takes the WAL past this many pages: at SQLite's 1,000,
  // a bulk decision checkpointed after nearly every batch, rewriting the same index pages each time.
  if (role === 'writer') conn.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  // NORMAL in WAL mode: a committed transaction survives a process crash; a power loss may drop the last ones.
  conn.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  // The terms of the comment text index, for expanding a prefix into the words it stands for (text-search.ts); temp: no migration, nothing written to the file.
  conn.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.${COMMENT_TERMS} USING fts5vocab(main, comments_fts, 'instance')`);
  if (role !== 'writer') conn.pragma('query_only = ON');
  return conn;
}

// Typed as the neutral handle: repositories only build drizzle queries and await them.
const handleOf = (raw: Database.Database) => ({
  raw,
  db: drizzle({ client: raw, casing: 'snake_case' }) as unknown as Db,
});

export function openSqlite(opts: OpenDatabaseOptions): DatabaseHandles {
  const { path, temporary } = resolveLocation(opts.url);
  // The writer opens first: it switches the database to WAL before the others attach.
  const writer = handleOf(openConnection(path, opts, 'writer'));
  const reader = handleOf(openConnection(path, opts, 'reader'));
  const snapshot = handleOf(openConnection(path, opts, 'snapshot'));
  const connections = [writer.raw, reader.raw, snapshot.raw];
  // Serving: the writer never waits inside SQLite (src/db/sqlite/transaction.ts retries on timers).
  writer.raw.pragma('busy_timeout = 0');
  if (opts.maxPageCount !== undefined) writer.raw.pragma(`max_page_count = ${Math.trunc(opts.maxPageCount)}`);
  const ping = reader.raw.prepare('select 1');
  // The file we opened, to notice when the path no longer names it (deleted or replaced under us):
  // SQLite would go on writing to the unlinked file, and everything written would be lost on restart.
  const opened = statSync(path);
  const assertStillThere = () => {
    let now: { ino: number; dev: number } | undefined;
    try {
      now = statSync(path);
    } catch {
      now = undefined;
    }
    if (!now || now.ino !== opened.ino || now.dev !== opened.dev) {
      throw Object.assign(new Error(`the database file ${path} was deleted or replaced while open`), {
        code: 'SQLITE_GONE',
      });
    }
  };
  const stats = { busyRetries: 0, writerQueueDepth: () => 0 };
  return {
    dialect: 'sqlite',
    read: reader.db,
    withTransaction: createTransactor(writer, snapshot, {
      busyWaitMs: opts.busyWaitMs ?? 5000,
      beforeWrite: assertStillThere,
      stats,
    }),
    async migrate() {
      writer.raw.pragma(`busy_timeout = ${START_UP_WAIT_MS}`);
      migrate(writer.db as never, { migrationsFolder: migrationsFolder('sqlite') });
      await insertInstanceRows(writer.db);
      writer.raw.pragma('busy_timeout = 0');
    },
    async ping() {
      assertStillThere();
      ping.get();
    },
    // Nothing to refresh: queries are written for SQLite's plans without statistics (src/db/query.ts), and ANALYZE would change them.
    async refreshStatistics() {},
    describe: () => (temporary ? ':memory: (a temporary file)' : path),
    stats: () => ({ writerQueueDepth: stats.writerQueueDepth(), busyRetries: stats.busyRetries }),
    async close() {
      if (connections.every((c) => !c.open)) return;
      for (const c of connections) c.close();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}
