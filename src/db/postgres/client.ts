import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { DatabaseHandles, OpenDatabaseOptions } from '../client.js';
import { insertInstanceRows, migrationsFolder } from '../migrate.js';
import type { Db } from '../schema.js';
import { ContentVersionListener } from './content-listener.js';
import { createPostgresTransactor } from './transaction.js';

// Any constant: processes starting together take it in turn, so migrations run once.
const MIGRATION_LOCK = 72_615_420;

const loggerFor = (trace: OpenDatabaseOptions['trace']) =>
  trace ? { logger: { logQuery: (query: string) => trace(query) } } : {};

function handles(
  orm: PgDatabase<PgQueryResultHKT>,
  parts: {
    migrate(): Promise<void>;
    describe: string;
    close(): Promise<void>;
    listener?: ContentVersionListener | undefined;
    waiting?: () => number;
  },
): DatabaseHandles {
  const db = orm as unknown as Db;
  const listener = parts.listener;
  const counters = { busyRetries: 0 };
  return {
    dialect: 'postgres',
    read: db,
    withTransaction: createPostgresTransactor(
      orm,
      listener ? (version) => listener.advance(version) : undefined,
      counters,
    ),
    ...(listener ? { contentVersion: listener } : {}),
    migrate: parts.migrate,
    async ping() {
      await orm.execute(sql`select 1`);
    },
    // Until autovacuum gets to it, a freshly loaded table is planned as if nearly empty (a 1,000-comment thread took 15 ms, 0.4 after).
    async refreshStatistics() {
      await orm.execute(sql`analyze`);
    },
    describe: () => parts.describe,
    stats: () => ({ writerQueueDepth: parts.waiting?.() ?? 0, busyRetries: counters.busyRetries }),
    close: parts.close,
  };
}

/** A PostgreSQL server through node-postgres, with a pool of `poolSize` connections. */
export function openPostgres(options: OpenDatabaseOptions): DatabaseHandles {
  // JIT off: a queue page walking an index under LIMIT is estimated costly, compiled (100+ ms), then stops in 1 ms.
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, options: '-c jit=off' });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const orm = drizzleNodePostgres({ client: pool, casing: 'snake_case', ...loggerFor(options.trace) });
  const url = new URL(options.url);
  url.password = '';
  let closed = false;
  const listener = options.listen !== true ? undefined : new ContentVersionListener(options.url);
  listener?.start();
  return handles(orm, {
    listener,
    describe: url.toString(),
    waiting: () => pool.waitingCount,
    async migrate() {
      // The advisory lock is held by one connection: migrate on that same connection.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        const single = drizzleNodePostgres({ client, casing: 'snake_case' });
        await migrateNodePostgres(single, { migrationsFolder: migrationsFolder('postgres') });
        await insertInstanceRows(single as unknown as Db);
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
        client.release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener?.stop();
      await pool.end();
    },
  });
}

/** PostgreSQL compiled to WebAssembly, in this process: the tests' stand-in for a server. */
export function openPglite(
  client: PGlite,
  options: { trace?: OpenDatabaseOptions['trace']; close?: () => Promise<void> } = {},
): DatabaseHandles {
  const orm = drizzlePglite({ client, casing: 'snake_case', ...loggerFor(options.trace) });
  return handles(orm, {
    describe: 'pglite (in process)',
    async migrate() {
      await migratePglite(orm, { migrationsFolder: migrationsFolder('postgres') });
      await insertInstanceRows(orm as unknown as Db);
    },
    close: options.close ?? (async () => {}),
  });
}
