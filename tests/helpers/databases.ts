import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { getTableName, is, type SQL } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { type DatabaseHandles, openDatabase } from '../../src/db/client.js';
import { openPglite } from '../../src/db/postgres/client.js';
import * as postgresTables from '../../src/db/postgres/schema.js';

/**
 * Which engine the suite runs on: vitest.config.ts runs every test file once per engine. On
 * PostgreSQL, TEST_DATABASE_URL names a real server (CI); without it PGlite (PostgreSQL compiled
 * to WebAssembly) stands in, so a fresh machine needs no server.
 */
export const TEST_ENGINE = (process.env.QUIRE_TEST_ENGINE ?? 'sqlite') as 'sqlite' | 'postgres';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
// CI sets it: there, a missing server is a failure instead of a quiet switch to PGlite.
if (process.env.REQUIRE_POSTGRES_SERVER === '1' && TEST_ENGINE === 'postgres' && !TEST_DATABASE_URL) {
  throw new Error('REQUIRE_POSTGRES_SERVER=1 but TEST_DATABASE_URL is not set');
}

/** Tests that need a real PostgreSQL server (several processes, real concurrency) run only with one. */
export const hasPostgresServer = TEST_ENGINE === 'postgres' && TEST_DATABASE_URL !== undefined;

export async function openTestDatabase(options: { trace?: (sql: string) => void } = {}): Promise<DatabaseHandles> {
  if (TEST_ENGINE === 'sqlite') {
    const db = await openDatabase({ url: ':memory:', ...options });
    await db.migrate();
    return db;
  }
  return TEST_DATABASE_URL ? openServerDatabase(TEST_DATABASE_URL, options) : openPgliteDatabase(options);
}

/** A fresh, migrated PostgreSQL database (the server of TEST_DATABASE_URL, else PGlite), whatever the engine under test. */
export function openPostgresTestDatabase(): Promise<DatabaseHandles> {
  return TEST_DATABASE_URL ? openServerDatabase(TEST_DATABASE_URL) : openPgliteDatabase();
}

// ---- a real server: one migrated template per worker, a database copied from it per test

let sequence = 0;
let template: Promise<string> | undefined;

function withDatabase(url: string, name: string): string {
  const copy = new URL(url);
  copy.pathname = `/${name}`;
  return copy.toString();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function baseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
}

async function createTemplate(url: string): Promise<string> {
  const name = `${baseName(url)}_tpl_${process.pid}`;
  await admin(url, async (client) => {
    await client.query(`drop database if exists "${name}"`);
    await client.query(`create database "${name}"`);
  });
  const db = await openDatabase({ url: withDatabase(url, name), poolSize: 2 });
  await db.migrate();
  await db.close();
  return name;
}

async function openServerDatabase(
  url: string,
  options: { trace?: (sql: string) => void } = {},
): Promise<DatabaseHandles> {
  template ??= createTemplate(url);
  const source = await template;
  sequence += 1;
  const name = `${baseName(url)}_t_${process.pid}_${sequence}`;
  await admin(url, (client) => client.query(`create database "${name}" template "${source}"`));
  // A copy carries the template's secrets: a database of its own gets secrets of its own, as a fresh install does.
  await admin(withDatabase(url, name), (client) => client.query('delete from instance_secrets'));
  const db = await openDatabase({ url: withDatabase(url, name), poolSize: 10, ...options });
  await db.migrate();
  const close = db.close;
  return {
    ...db,
    async close() {
      await close();
      await admin(url, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

// ---- PGlite: migrated instances kept per worker, emptied between tests

// On globalThis: test files in one worker re-evaluate this module, but share its PGlite instances.
const pool = globalThis as typeof globalThis & { quireIdlePglite?: PGlite[] };
pool.quireIdlePglite ??= [];
const idle = pool.quireIdlePglite;
// Every table but the per-status counts, whose rows the migration creates (zeroed instead).
const TABLES_TO_EMPTY = Object.values(postgresTables)
  .filter((value) => is(value, PgTable))
  .map((table) => getTableName(table as PgTable))
  .filter((name) => name !== 'comment_counts')
  .join(', ');

async function openPgliteDatabase(options: { trace?: (sql: string) => void } = {}): Promise<DatabaseHandles> {
  let client = idle.pop();
  let fresh = false;
  if (!client) {
    client = new PGlite();
    await client.waitReady;
    fresh = true;
  }
  const instance = client;
  // Closing hands the instance back once (a test that closes its database is closed again after it)
  // and leaves the handles as a closed server's: the instance itself lives on for the next test.
  let closed = false;
  const handles = openPglite(instance, {
    ...options,
    close: async () => {
      if (closed) return;
      closed = true;
      idle.push(instance);
    },
  });
  const ping = handles.ping;
  const db = Object.assign(handles, {
    pglite: instance,
    async ping() {
      if (closed) throw new Error('the database is closed');
      await ping();
    },
  });
  if (fresh) {
    await db.migrate();
  } else {
    // An empty database again: every table truncated, ids restarting at 1, the instance rows anew.
    await instance.exec(`truncate ${TABLES_TO_EMPTY} restart identity cascade; update comment_counts set n = 0`);
    await db.migrate();
  }
  return db;
}

/** Raw rows of a query, on either engine: for tests that inspect the database itself. */
export async function rawRows<Row>(db: DatabaseHandles, query: SQL): Promise<Row[]> {
  const handle = db.read as unknown as {
    all?: (q: SQL) => Row[];
    execute?: (q: SQL) => Promise<{ rows: Row[] }>;
  };
  if (db.dialect === 'sqlite') return handle.all!(query);
  return (await handle.execute!(query)).rows;
}

/**
 * Two handles on one database, as two processes would hold: each app built on one keeps its own
 * caches and connections. The database goes when both are closed.
 */
export async function openSharedTestDatabases(): Promise<[DatabaseHandles, DatabaseHandles]> {
  if (TEST_ENGINE === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'quire-shared-'));
    const url = join(dir, 'shared.db');
    const first = await openDatabase({ url });
    await first.migrate();
    const second = await openDatabase({ url });
    return [first, second];
  }
  if (TEST_DATABASE_URL) {
    const first = await openServerDatabase(TEST_DATABASE_URL);
    const second = await openDatabase({ url: first.describe(), poolSize: 5 });
    return [first, second];
  }
  const first = await openPgliteDatabase();
  const instance = (first as DatabaseHandles & { pglite?: PGlite }).pglite!;
  return [first, openPglite(instance)];
}
