import { asc, count, getTableColumns, getTableName, is, isNull, type SQL, sql } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { rewriteArticleSearch } from '../modules/articles/articles.repository.js';
import { insertRows, syncIdSequences } from './bulk.js';
import type { DatabaseHandles } from './client.js';
import { COMMENT_STATUSES } from './enums.js';
import * as postgresTables from './postgres/schema.js';
import { type Db, type Tables, tablesOf } from './schema.js';

/**
 * Export and import of a whole database as JSON lines, the same on both engines. The first line
 * names the format, its version, the tables in the order they load and their row counts; then one
 * line per row, `{"table":"articles","row":{"id":1,…}}`, table after table, each by primary key.
 * Names are the database's (snake_case); values are as stored (timestamps as strings, booleans as
 * booleans, JSON columns as JSON with their object keys sorted, since PostgreSQL's jsonb keeps no
 * key order), so a file exported from either engine reads the same, byte for byte.
 */
export const EXPORT_FORMAT = 'quire-export';
export const EXPORT_VERSION = 1;

/** Something the operator must fix (the file, or the target database): the CLI prints the message alone. */
export class TransferError extends Error {}

export type Progress = (done: number, total: number, label: string) => void;

type Kind = 'integer' | 'number' | 'string' | 'boolean' | 'json';

interface ColumnSpec {
  /** The schema's property name, which drizzle rows use. */
  key: string;
  /** The database's column name, which the file uses. */
  name: string;
  kind: Kind;
  nullable: boolean;
}

interface TableSpec {
  key: keyof Tables;
  name: string;
  columns: ColumnSpec[];
  primaryKey: string[];
}

// The PostgreSQL column types, which are also the format's: the SQLite schema declares the same columns.
const KINDS: Record<string, Kind> = {
  PgInteger: 'integer',
  PgBigInt53: 'integer',
  PgDoublePrecision: 'number',
  PgBoolean: 'boolean',
  PgJsonb: 'json',
  PgCustomColumn: 'string', // the schema's code-point-ordered text
};

// Rows every installation has from its first migration (src/db/migrate.ts): an import replaces them.
const INSTANCE_TABLES = new Set(['content_version', 'instance_secrets']);

// Rows read per query and written per insert batch: bounded memory whatever the size of the database.
const PAGE_SIZE = 1000;

// The article's list keys copied beside its tags and products: triggers fill them on insert (SQLite 0005, PostgreSQL 0006).
const COPIED_COLUMNS = new Set(
  ['article_tags', 'article_products'].flatMap((table) =>
    ['article_status', 'article_published_at', 'article_title'].map((column) => `${table}.${column}`),
  ),
);

function specOf(key: keyof Tables, table: PgTable): TableSpec {
  const config = getTableConfig(table);
  // Generated columns (article_search.document on PostgreSQL) are the database's to compute: never exported nor inserted.
  const columns = config.columns
    .filter((column) => !column.generated && !COPIED_COLUMNS.has(`${config.name}.${toSnakeCase(column.name)}`))
    .map((column) => {
      const kind = KINDS[column.columnType];
      if (!kind) throw new Error(`transfer: no rule for ${config.name}.${column.name} (${column.columnType})`);
      return { key: column.name, name: toSnakeCase(column.name), kind, nullable: !column.notNull };
    });
  const primaryKey =
    config.primaryKeys[0]?.columns.map((c) => c.name) ?? config.columns.filter((c) => c.primary).map((c) => c.name);
  if (primaryKey.length === 0) throw new Error(`transfer: table ${config.name} has no primary key`);
  return { key, name: config.name, columns, primaryKey };
}

/** Every table, parents before children (foreign keys), ties by name: one deterministic load order. */
function dependencyOrder(): TableSpec[] {
  const entries = Object.entries(postgresTables).filter(([, value]) => is(value, PgTable)) as [keyof Tables, PgTable][];
  const parents = new Map(
    entries.map(([, table]) => {
      const config = getTableConfig(table);
      const referenced = config.foreignKeys.map((fk) => getTableName(fk.reference().foreignTable));
      return [config.name, new Set(referenced.filter((name) => name !== config.name))];
    }),
  );
  const pending = entries.map(([key, table]) => specOf(key, table)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const ordered: TableSpec[] = [];
  while (pending.length > 0) {
    const done = new Set(ordered.map((spec) => spec.name));
    const next = pending.findIndex((spec) => [...(parents.get(spec.name) ?? [])].every((name) => done.has(name)));
    if (next < 0) throw new Error(`transfer: foreign keys form a cycle among ${pending.map((s) => s.name).join(', ')}`);
    ordered.push(...pending.splice(next, 1));
  }
  return ordered;
}

// Derived data (comment counts, the search text), recomputed after an import, and delivery
// bookkeeping (events already sent, their attempts), which belongs to the installation that sent them.
const DERIVED_TABLES = new Set([
  'comment_counts',
  'comment_search',
  'comment_article_counts',
  'article_search',
  'outbox_events',
  'outbox_cursors',
  'webhook_deliveries',
]);

export const TRANSFER_TABLES: readonly TableSpec[] = dependencyOrder().filter((spec) => !DERIVED_TABLES.has(spec.name));

/** JSON with object keys sorted at every depth: the same text whichever engine stored the value. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

function encodeRow(spec: TableSpec, row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const column of spec.columns) {
    const value = row[column.key] ?? null;
    out[column.name] = column.kind === 'json' ? sortedKeys(value) : value;
  }
  return JSON.stringify({ table: spec.name, row: out });
}

// Typed as PostgreSQL's (as `Db` is); on SQLite the same builders run over SQLite's tables.
const tableOf = (db: Db, spec: TableSpec) => tablesOf(db)[spec.key] as PgTable;
const columnOf = (table: PgTable, key: string) => getTableColumns(table)[key]!;

/** A table's rows in primary-key order, a page at a time (keyset: each page starts after the last key). */
async function* pagesOf(tx: Db, spec: TableSpec): AsyncGenerator<Record<string, unknown>[]> {
  const table = tableOf(tx, spec);
  const keys = spec.primaryKey.map((key) => columnOf(table, key));
  let after: unknown[] | null = null;
  for (;;) {
    const where: SQL | undefined = after
      ? sql`(${sql.join(keys, sql`, `)}) > (${sql.join(
          after.map((value) => sql`${value}`),
          sql`, `,
        )})`
      : undefined;
    const rows: Record<string, unknown>[] = await tx
      .select()
      .from(table)
      .where(where)
      .orderBy(...keys.map((key) => asc(key)))
      .limit(PAGE_SIZE);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE_SIZE) return;
    const last = rows[rows.length - 1]!;
    after = spec.primaryKey.map((key) => last[key]);
  }
}

async function countRows(tx: Db, spec: TableSpec): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(tableOf(tx, spec));
  return Number(row?.n ?? 0);
}

/** Runs `fn` at most once: a transaction retried after a conflict cannot replay a stream it consumed. */
function once<T>(fn: (tx: Db) => Promise<T>): (tx: Db) => Promise<T> {
  let ran = false;
  return (tx) => {
    if (ran) throw new TransferError('A conflicting write interrupted the transfer; run it again.');
    ran = true;
    return fn(tx);
  };
}

export interface TransferSummary {
  tables: number;
  rows: number;
}

/**
 * Writes every table as JSON lines, read in one consistent snapshot (the server may keep running).
 * `write` receives text in order and may return a promise to apply back-pressure.
 */
export async function exportDatabase({
  db,
  write,
  onProgress,
}: {
  db: DatabaseHandles;
  write: (text: string) => Promise<void> | void;
  onProgress?: Progress | undefined;
}): Promise<TransferSummary> {
  return db.withTransaction(
    once(async (tx) => {
      const counts: Record<string, number> = {};
      for (const spec of TRANSFER_TABLES) counts[spec.name] = await countRows(tx, spec);
      const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
      const tables = TRANSFER_TABLES.map((spec) => spec.name);
      await write(`${JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, tables, rows: counts })}\n`);
      let done = 0;
      onProgress?.(done, total, '');
      for (const spec of TRANSFER_TABLES) {
        for await (const rows of pagesOf(tx, spec)) {
          await write(`${rows.map((row) => encodeRow(spec, row)).join('\n')}\n`);
          done += rows.length;
          onProgress?.(done, total, spec.name);
        }
      }
      return { tables: tables.length, rows: total };
    }),
    { readOnly: true },
  );
}

interface Header {
  tables: string[];
  rows: Record<string, number>;
}

function parseJson(line: string, at: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new TransferError(`Line ${at}: not JSON.`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseHeader(line: string | undefined): Header {
  if (line === undefined) throw new TransferError('The file is empty: nothing to import.');
  const header = parseJson(line, 1);
  if (!isRecord(header) || header.format !== EXPORT_FORMAT)
    throw new TransferError(`Line 1: not a Quire export (the first line names "format": "${EXPORT_FORMAT}").`);
  if (header.version !== EXPORT_VERSION)
    throw new TransferError(
      `Line 1: export format version ${String(header.version)}; this version of Quire reads version ${EXPORT_VERSION}.`,
    );
  const expected = TRANSFER_TABLES.map((spec) => spec.name);
  const tables = header.tables;
  if (!Array.isArray(tables) || tables.join() !== expected.join())
    throw new TransferError(
      `Line 1: the file lists the tables ${Array.isArray(tables) ? tables.join(', ') : '(none)'}; this version of Quire has ${expected.join(', ')}.`,
    );
  const rows = header.rows;
  if (!isRecord(rows) || !expected.every((name) => Number.isSafeInteger(rows[name]) && (rows[name] as number) >= 0))
    throw new TransferError('Line 1: "rows" must give the row count of every table.');
  return { tables: expected, rows: rows as Record<string, number> };
}

function fits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'json':
      return typeof value === 'object';
  }
}

/** A row of the file, checked column by column (SQLite would store a wrong type without a word). */
function decodeRow(spec: TableSpec, row: unknown, at: number): Record<string, unknown> {
  if (!isRecord(row)) throw new TransferError(`Line ${at}: "row" must be an object.`);
  const extra = Object.keys(row).filter((name) => !spec.columns.some((column) => column.name === name));
  if (extra.length > 0) throw new TransferError(`Line ${at}: ${spec.name} has no column ${extra.join(', ')}.`);
  const out: Record<string, unknown> = {};
  for (const column of spec.columns) {
    if (!(column.name in row)) throw new TransferError(`Line ${at}: ${spec.name}.${column.name} is missing.`);
    const value = row[column.name];
    if (value === null ? !column.nullable : !fits(column.kind, value))
      throw new TransferError(
        `Line ${at}: ${spec.name}.${column.name} must be ${column.nullable ? 'null or ' : ''}${column.kind === 'json' ? 'JSON' : `a ${column.kind}`}, got ${JSON.stringify(value)}.`,
      );
    out[column.key] = value;
  }
  return out;
}

/** Row counts of the tables that hold content, keys or settings; empty means none has a row. */
/** The comment counts the triggers keep (per status, per article and status), recomputed from the imported comments. */
async function recountComments(tx: Db): Promise<void> {
  const { commentArticleCounts, commentCounts, comments } = tablesOf(tx);
  // One row per status in slot 0, every status present: SQLite's triggers only update theirs.
  await tx.delete(commentCounts);
  await tx.insert(commentCounts).values(
    COMMENT_STATUSES.map((status) => ({
      status,
      slot: 0,
      n: sql<number>`(select count(*) from ${comments} where ${comments.status} = ${status} and ${comments.deletedAt} is null)`,
    })),
  );
  await tx.delete(commentArticleCounts);
  await tx.insert(commentArticleCounts).select(
    tx
      .select({
        articleId: comments.articleId,
        status: comments.status,
        slot: sql<number>`0`.as('slot'),
        n: count().as('n'),
      })
      .from(comments)
      .where(isNull(comments.deletedAt))
      .groupBy(comments.articleId, comments.status),
  );
}

async function contentCounts(tx: Db): Promise<string[]> {
  const found: string[] = [];
  for (const spec of TRANSFER_TABLES) {
    if (INSTANCE_TABLES.has(spec.name)) continue;
    const n = await countRows(tx, spec);
    if (n > 0) found.push(`${spec.name}: ${n}`);
  }
  return found;
}

/**
 * Loads an export into an empty database of either engine, in one transaction with explicit ids,
 * then moves PostgreSQL's id sequences past them. The instance rows (content version, secrets)
 * are replaced by the file's, so ETags and address hashes carry over. Nothing is recomputed: counts
 * and revisions are data. A non-empty database is refused untouched.
 */
export async function importDatabase({
  db,
  lines,
  onProgress,
}: {
  db: DatabaseHandles;
  lines: AsyncIterable<string>;
  onProgress?: Progress | undefined;
}): Promise<TransferSummary> {
  const iterator = lines[Symbol.asyncIterator]();
  let at = 0;
  const nextLine = async (): Promise<string | undefined> => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return undefined;
      at += 1;
      if (next.value.trim() !== '') return next.value;
    }
  };
  const header = parseHeader(await nextLine());
  const total = Object.values(header.rows).reduce((sum, n) => sum + n, 0);
  const summary = await db.withTransaction(
    once(async (tx) => {
      const present = await contentCounts(tx);
      if (present.length > 0)
        throw new TransferError(
          `Refusing to import into ${db.describe()}: it is not empty (${present.join(', ')}). Import loads into an empty database only; point DATABASE_URL at a new one.`,
        );
      for (const spec of TRANSFER_TABLES) if (INSTANCE_TABLES.has(spec.name)) await tx.delete(tableOf(tx, spec));
      const seen = new Map<string, number>();
      let current = 0;
      let batch: Record<string, unknown>[] = [];
      let done = 0;
      onProgress?.(done, total, '');
      const flush = async () => {
        const spec = TRANSFER_TABLES[current]!;
        if (batch.length > 0) await insertRows({ db: tx, table: tableOf(tx, spec), rows: batch as never });
        done += batch.length;
        batch = [];
        onProgress?.(done, total, spec.name);
      };
      const closeTable = (index: number, where: string) => {
        const name = TRANSFER_TABLES[index]!.name;
        if ((seen.get(name) ?? 0) !== header.rows[name])
          throw new TransferError(
            `${where}: ${name} has ${seen.get(name) ?? 0} row(s) where line 1 announced ${header.rows[name]}; the file is incomplete or edited.`,
          );
      };
      for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
        const entry = parseJson(line, at);
        if (!isRecord(entry) || typeof entry.table !== 'string')
          throw new TransferError(`Line ${at}: expected {"table": …, "row": {…}}.`);
        const index = TRANSFER_TABLES.findIndex((spec) => spec.name === entry.table);
        if (index < 0) throw new TransferError(`Line ${at}: unknown table ${entry.table}.`);
        if (index < current)
          throw new TransferError(
            `Line ${at}: a row of ${entry.table} after those of ${TRANSFER_TABLES[current]!.name}.`,
          );
        if (index > current) {
          await flush();
          for (let skipped = current; skipped < index; skipped += 1) closeTable(skipped, `Line ${at}`);
          current = index;
        }
        batch.push(decodeRow(TRANSFER_TABLES[index]!, entry.row, at));
        seen.set(entry.table, (seen.get(entry.table) ?? 0) + 1);
        if (batch.length >= PAGE_SIZE) await flush();
      }
      await flush();
      for (let index = 0; index < TRANSFER_TABLES.length; index += 1) closeTable(index, 'At the end of the file');
      await syncIdSequences({ db: tx });
      await recountComments(tx);
      await rewriteArticleSearch({ db: tx });
      return { tables: TRANSFER_TABLES.length, rows: total };
    }),
    // The content version is the file's: the import must not bump it.
    { touchesContent: false },
  );
  await db.refreshStatistics();
  return summary;
}
