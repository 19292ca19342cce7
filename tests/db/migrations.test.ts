import { readdirSync, readFileSync } from 'node:fs';
import {
  generateDrizzleJson,
  generateMigration,
  generateSQLiteDrizzleJson,
  generateSQLiteMigration,
} from 'drizzle-kit/api';
import { sql } from 'drizzle-orm';
import { getTableConfig as getPgTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as getSqliteTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as postgresSchema from '../../src/db/postgres/schema.js';
import * as sqliteSchema from '../../src/db/sqlite/schema.js';
import { createTestApp, TEST_ENGINE } from '../helpers/app.js';
import { rawRows } from '../helpers/databases.js';

function lastSnapshot(dialect: 'sqlite' | 'postgres') {
  const meta = new URL(`../../migrations/${dialect}/meta/`, import.meta.url);
  const journal = JSON.parse(readFileSync(new URL('_journal.json', meta), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  const last = journal.entries.at(-1)!;
  const file = readdirSync(meta).find((name) => name.startsWith(`${String(last.idx).padStart(4, '0')}_snapshot`))!;
  return JSON.parse(readFileSync(new URL(file, meta), 'utf8'));
}

const EXPECTED_TABLES = [
  'api_keys',
  'article_products',
  'article_search',
  'article_slug_redirects',
  'article_tags',
  'articles',
  'comment_article_counts',
  'comment_blocks',
  'comment_counts',
  'comments',
  'content_version',
  'instance_secrets',
  'moderation_events',
  'outbox_cursors',
  'outbox_events',
  'products',
  'sections',
  'site',
  'tags',
  'tips',
  'webhook_deliveries',
  'webhooks',
];

describe('migrations', () => {
  it('match the SQLite schema: generating from the committed snapshot yields no statements', async () => {
    // Same casing as drizzle.config.ts and src/db/sqlite/client.ts.
    const current = await generateSQLiteDrizzleJson(sqliteSchema, undefined, 'snake_case');
    const statements = await generateSQLiteMigration(lastSnapshot('sqlite'), current);
    expect(statements, 'the SQLite schema changed: run `npm run db:generate` and commit').toEqual([]);
  });

  it('match the PostgreSQL schema: generating from the committed snapshot yields no statements', async () => {
    const current = generateDrizzleJson(postgresSchema, undefined, undefined, 'snake_case');
    const statements = await generateMigration(lastSnapshot('postgres'), current);
    expect(statements, 'the PostgreSQL schema changed: run `npm run db:generate` and commit').toEqual([]);
  });

  it('are applied on start, creating every table of the schema', async () => {
    const { db } = await createTestApp();
    const query =
      TEST_ENGINE === 'sqlite'
        ? sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' and name not like 'comments_fts%' and name not like 'article_search_fts%'`
        : sql`select table_name as name from information_schema.tables where table_schema = 'public'`;
    const rows = await rawRows<{ name: string }>(db, query);
    // comment_search is PostgreSQL's counterpart of SQLite's comments_fts (migration 0007).
    const expected = TEST_ENGINE === 'sqlite' ? EXPECTED_TABLES : [...EXPECTED_TABLES, 'comment_search'].sort();
    expect(rows.map((r) => r.name).sort()).toEqual(expected);
  });

  it.runIf(TEST_ENGINE !== 'sqlite')(
    'keep each search document in its row on PostgreSQL (storage MAIN), not in the TOAST table',
    async () => {
      const { db } = await createTestApp();
      const rows = await rawRows<{ storage: string }>(
        db,
        sql`select attstorage as storage from pg_attribute where attrelid = 'article_search'::regclass and attname = 'document'`,
      );
      expect(rows).toEqual([{ storage: 'm' }]);
    },
  );
});

/** What both engines must agree on, table by table, in engine-neutral terms. */
function shapeOf(config: {
  name: string;
  columns: { name: string; notNull: boolean; primary: boolean; hasDefault: boolean; columnType: string }[];
  indexes: { config: { name?: string; unique: boolean; columns: unknown[] } }[];
  checks: { name: string }[];
  foreignKeys: {
    reference(): { columns: { name: string }[]; foreignColumns: { name: string; table: unknown }[] };
    onDelete?: string | undefined;
  }[];
  primaryKeys: { columns: { name: string }[] }[];
}) {
  return {
    name: config.name,
    columns: config.columns
      .map((c) => ({
        name: c.name,
        notNull: c.notNull,
        primary: c.primary,
        // An id the database assigns: AUTOINCREMENT on SQLite, an identity on PostgreSQL.
        hasDefault: c.primary
          ? Boolean(
              (c as { autoIncrement?: boolean }).autoIncrement ||
                (c as { generatedIdentity?: unknown }).generatedIdentity,
            )
          : c.hasDefault,
        kind: kindOf(c.columnType),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    indexes: config.indexes
      .map((i) => ({
        name: i.config.name,
        unique: i.config.unique,
        columns: i.config.columns.map((c) => (c as { name: string }).name),
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    checks: config.checks.map((c) => c.name).sort(),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return `${ref.columns.map((c) => c.name).join(',')}->${ref.foreignColumns.map((c) => c.name).join(',')} ${fk.onDelete ?? ''}`;
      })
      .sort(),
    primaryKeys: config.primaryKeys.map((pk) => pk.columns.map((c) => c.name).join(',')),
  };
}

// Each engine's column types, in the terms both share.
function kindOf(columnType: string): string {
  const kinds: Record<string, string> = {
    SQLiteInteger: 'integer',
    PgInteger: 'integer',
    // SQLite integers are 64-bit: a PostgreSQL bigint (transaction ids) is the same kind.
    PgBigInt53: 'integer',
    SQLiteText: 'text',
    PgCustomColumn: 'text',
    SQLiteReal: 'double',
    PgDoublePrecision: 'double',
    SQLiteBoolean: 'boolean',
    PgBoolean: 'boolean',
    SQLiteTextJson: 'json',
    PgJsonb: 'json',
  };
  return kinds[columnType] ?? columnType;
}

// PostgreSQL's stored search documents and their GIN indexes (migrations 0005, 0007) stand where SQLite has its FTS5 tables.
function withoutSearchDocument(table: PgTable): never {
  const config = getPgTableConfig(table);
  if (config.name !== 'article_search') return config as never;
  return {
    ...config,
    columns: config.columns.filter((c) => c.name !== 'document'),
    indexes: config.indexes.filter((i) => i.config.name !== 'article_search_document_idx'),
  } as never;
}

describe('the two schemas', () => {
  it('have the same tables, columns, constraints and indexes', () => {
    const sqlite = Object.values(sqliteSchema).map((table) =>
      shapeOf(getSqliteTableConfig(table as SQLiteTable) as never),
    );
    const postgres = Object.values(postgresSchema)
      .filter((table) => getPgTableConfig(table as PgTable).name !== 'comment_search')
      .map((table) => shapeOf(withoutSearchDocument(table as PgTable)));
    const byName = <T extends { name: string }>(list: T[]) => list.sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(postgres)).toEqual(byName(sqlite));
  });
});
