import type { Db, Dialect } from './schema.js';
import type { WithTransaction } from './transaction.js';

export type { Db } from './schema.js';

/** An opened database, on either engine: what buildApp, the CLI and the tests receive. */
export interface DatabaseHandles {
  dialect: Dialect;
  /** Reads outside a transaction: see only committed rows. */
  read: Db;
  /** Runs a transaction (see src/db/transaction.ts). */
  withTransaction: WithTransaction;
  /** Applies pending migrations and the rows every installation needs; safe on every start. */
  migrate(): Promise<void>;
  /** Cheap liveness probe: the database answers and is still the one configured. */
  ping(): Promise<void>;
  /** After a bulk load: the planner's statistics brought up to date (PostgreSQL's ANALYZE). */
  refreshStatistics(): Promise<void>;
  /** What the logs and errors call it: a file path, or a URL without its password. */
  describe(): string;
  /** Figures for /metrics, read when scraped. */
  stats(): DatabaseStats;
  close(): Promise<void>;
  /**
   * PostgreSQL with DATABASE_LISTEN: the content version kept in memory from LISTEN/NOTIFY.
   * `current()` is undefined while the listener is disconnected: then read it per request.
   */
  contentVersion?: ContentVersionFeed;
}

export interface ContentVersionFeed {
  current(): number | undefined;
  /** 'version' with each version learnt; 'lost' when the listening connection drops. */
  on(event: 'version' | 'lost', listener: (version?: number) => void): unknown;
  off(event: 'version' | 'lost', listener: (version?: number) => void): unknown;
}

export interface DatabaseStats {
  /** Writes waiting for their turn: SQLite's single writer queue, PostgreSQL's callers waiting for a pooled connection. */
  writerQueueDepth: number;
  /** Times a write was retried because the database was busy (a lock held elsewhere, a serialization failure). */
  busyRetries: number;
}

export interface OpenDatabaseOptions {
  /** A SQLite file path (or ":memory:"), or a postgres:// URL. */
  url: string;
  /** SQLite: the synchronous pragma. */
  synchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  /** How long a write waits for a lock held elsewhere before it is refused as busy (503). */
  busyWaitMs?: number;
  /** SQLite: a cap on the file's size in pages; tests use it to meet a full disk. */
  maxPageCount?: number;
  /** PostgreSQL: connections in the pool. */
  poolSize?: number;
  /** PostgreSQL: keep the content version in memory from LISTEN/NOTIFY on one extra connection. */
  listen?: boolean;
  /** Called with every SQL statement run (tests count them). */
  trace?: (sql: string) => void;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Opens the database a URL names; engine-specific code loads only for the engine in use. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandles> {
  if (isPostgresUrl(options.url)) {
    const { openPostgres } = await import('./postgres/client.js');
    return openPostgres(options);
  }
  const { openSqlite } = await import('./sqlite/client.js');
  return openSqlite(options);
}
