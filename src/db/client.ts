import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
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
}

// ":memory:" becomes a named shared in-memory database so the reader and writer see the same data.
function resolveLocation(url: string): { location: string; memory: boolean } {
  if (url === ':memory:') return { location: `file:quire-${randomUUID()}?mode=memory&cache=shared`, memory: true };
  if (url.startsWith('file:')) return { location: url, memory: url.includes('mode=memory') };
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  mkdirSync(dirname(path), { recursive: true });
  return { location: path, memory: false };
}

function openConnection(location: string, memory: boolean, opts: OpenDatabaseOptions, role: 'reader' | 'writer') {
  const conn = new Database(location);
  conn.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  conn.pragma('foreign_keys = ON');
  if (!memory) {
    if (role === 'writer') conn.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash; a power loss may drop the last ones.
    conn.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  }
  if (role === 'reader') conn.pragma('query_only = ON');
  return conn;
}

export function openDatabase(opts: OpenDatabaseOptions): DatabaseHandles {
  const { location, memory } = resolveLocation(opts.url);
  // The writer opens first: it switches a file database to WAL before the reader attaches.
  const writerConn = openConnection(location, memory, opts, 'writer');
  const readerConn = openConnection(location, memory, opts, 'reader');
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
      readerConn.close();
      writerConn.close();
    },
  };
}
