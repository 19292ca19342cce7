import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema.js';
import { createTransactor, type WithTransaction } from './transaction.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DatabaseHandles {
  /** Read connection: sees only committed rows; refuses writes. */
  read: Db;
  /** Runs a write transaction on the dedicated writer connection. */
  withTransaction: WithTransaction;
  /** The writer, for migrations at start-up only (before any request). */
  migrator: Db;
  /** Cheap liveness probe of the read connection. */
  ping(): Promise<void>;
  close(): void;
}

export interface OpenDatabaseOptions {
  url: string;
  synchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  busyTimeoutMs?: number;
  /** Called with every SQL statement either connection runs (tests count them). */
  trace?: (sql: string) => void;
}

// better-sqlite3 does not open URI filenames, so two connections cannot share a plain in-memory
// database: ":memory:" becomes a private temporary file, removed when the database closes.
function resolveLocation(url: string): { path: string; temporary: string | null } {
  if (url === ':memory:') {
    const dir = mkdtempSync(join(tmpdir(), 'quire-'));
    return { path: join(dir, 'quire.db'), temporary: dir };
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  mkdirSync(dirname(path), { recursive: true });
  return { path, temporary: null };
}

function openConnection(path: string, opts: OpenDatabaseOptions, role: 'reader' | 'writer') {
  const conn = new Database(path, opts.trace ? { verbose: (message) => opts.trace?.(String(message)) } : {});
  conn.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  conn.pragma('foreign_keys = ON');
  // WAL: readers see the last committed state and never wait for the writer.
  if (role === 'writer') conn.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a process crash; a power loss may drop the last ones.
  conn.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  if (role === 'reader') conn.pragma('query_only = ON');
  return conn;
}

export function openDatabase(opts: OpenDatabaseOptions): DatabaseHandles {
  const { path, temporary } = resolveLocation(opts.url);
  // The writer opens first: it switches the database to WAL before the reader attaches.
  const writerConn = openConnection(path, opts, 'writer');
  const readerConn = openConnection(path, opts, 'reader');
  const writer = drizzle({ client: writerConn, schema, casing: 'snake_case' });
  const reader = drizzle({ client: readerConn, schema, casing: 'snake_case' });
  const ping = readerConn.prepare('select 1');
  return {
    read: reader,
    withTransaction: createTransactor(writer, writerConn),
    migrator: writer,
    async ping() {
      ping.get();
    },
    close() {
      if (!readerConn.open && !writerConn.open) return;
      readerConn.close();
      writerConn.close();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}
