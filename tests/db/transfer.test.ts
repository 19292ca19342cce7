import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { seedSampleContent } from '../../seeds/load.js';
import { insertRows } from '../../src/db/bulk.js';
import type { DatabaseHandles } from '../../src/db/client.js';
import { tablesOf } from '../../src/db/schema.js';
import { exportDatabase, TRANSFER_TABLES, TransferError } from '../../src/db/transfer.js';
import { insertComment } from '../../src/modules/comments/comments.repository.js';
import { hasPostgresServer, openSharedTestDatabases, openTestDatabase, TEST_ENGINE } from '../helpers/databases.js';
import { createKeyFor } from '../helpers/keys.js';
import { exportToString, importString } from '../helpers/transfer.js';

const opened: DatabaseHandles[] = [];
async function fresh(): Promise<DatabaseHandles> {
  const db = await openTestDatabase();
  opened.push(db);
  return db;
}
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

const NOW = new Date('2026-06-01T12:00:00.000Z');

/** The sample content, a key, a spam comment with two signals, and more than a page of article tags. */
async function filled(): Promise<DatabaseHandles> {
  const db = await fresh();
  await seedSampleContent({ withTransaction: db.withTransaction, now: NOW });
  await createKeyFor(db, 'admin');
  await db.withTransaction(async (tx) => {
    const { tags, articleTags } = tablesOf(tx);
    const many = Array.from({ length: 1200 }, (_, i) => ({ id: 100 + i, slug: `tag-${i}`, name: `Tag ${i}` }));
    await insertRows({ db: tx, table: tags, rows: many });
    await insertRows({
      db: tx,
      table: articleTags,
      rows: many.map((tag, i) => ({ articleId: 1, tagId: tag.id, position: 10 + i })),
    });
    await insertComment({
      db: tx,
      values: {
        articleId: 1,
        authorName: 'Bot',
        authorEmail: 'bot@example.org',
        body: 'Buy now',
        status: 'spam',
        contentHash: 'h',
        spamScore: 2,
        spamSignals: { tooFast: 1, honeypot: 1 },
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      },
    });
  });
  return db;
}

const parse = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('export', () => {
  it('writes a header, then every table by primary key, values as stored', async () => {
    const db = await filled();
    const [header, ...rows] = parse(await exportToString(db));
    expect(header.format).toBe('quire-export');
    expect(header.version).toBe(1);
    expect(header.tables).toEqual(TRANSFER_TABLES.map((t) => t.name));
    expect(header.tables).toHaveLength(16);
    // Parents before children.
    const position = (name: string) => header.tables.indexOf(name);
    expect(position('articles')).toBeLessThan(position('sections'));
    expect(position('sections')).toBeLessThan(position('tips'));
    expect(position('sections')).toBeLessThan(position('article_products'));
    expect(position('comments')).toBeLessThan(position('moderation_events'));
    expect(rows).toHaveLength(Object.values(header.rows as Record<string, number>).reduce((a, b) => a + b, 0));
    // Table after table in the header's order, each by primary key.
    expect(rows.map((r) => header.tables.indexOf(r.table))).toEqual(
      rows.map((r) => header.tables.indexOf(r.table)).sort((a: number, b: number) => a - b),
    );
    const links = rows.filter((r) => r.table === 'article_tags').map((r) => [r.row.article_id, r.row.tag_id]);
    expect(links).toHaveLength(1203);
    expect(links).toEqual([...links].sort(([a1, t1], [a2, t2]) => a1 - a2 || t1 - t2));

    const product = rows.find((r) => r.table === 'products')!.row;
    expect(product).toMatchObject({ id: 1, in_stock: true, badges: ['Ships within 2 business days', 'Free shipping'] });
    expect(product.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const spam = rows.find((r) => r.table === 'comments' && r.row.status === 'spam')!.row;
    // JSON columns with sorted keys, whatever order the engine kept.
    expect(JSON.stringify(spam.spam_signals)).toBe('{"honeypot":1,"tooFast":1}');
    const key = rows.find((r) => r.table === 'api_keys')!.row;
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.filter((r) => r.table === 'instance_secrets').map((r) => r.row.name)).toEqual([
      'address-hash-salt',
      'etag-secret',
      'preview-secret',
    ]);
  });

  it.skipIf(TEST_ENGINE === 'postgres' && !hasPostgresServer)(
    'reads one snapshot: a write landing mid-export is not in the file',
    async () => {
      // Two handles on one database, as the CLI and a running server hold.
      const [db, server] = await openSharedTestDatabases();
      opened.push(db, server);
      await createKeyFor(db, 'admin');
      const chunks: string[] = [];
      await exportDatabase({
        db,
        write: async (chunk) => {
          chunks.push(chunk);
          if (chunks.length > 1) return;
          // Committed after the header's counts were read, before any row was.
          await createKeyFor(server, 'editor', 'Mid-export');
          await createKeyFor(server, 'moderator', 'Mid-export too');
        },
      });
      const [header, ...rows] = parse(chunks.join(''));
      expect(header.rows.api_keys).toBe(1);
      expect(rows.filter((r) => r.table === 'api_keys')).toHaveLength(1);
      expect(parse(await exportToString(db))[0].rows.api_keys).toBe(3);
    },
  );
});

describe('import', () => {
  it('loads an export into an empty database: exporting it again gives the same file', async () => {
    const file = await exportToString(await filled());
    const target = await fresh();
    const summary = await importString(target, file);
    expect(summary).toEqual({ tables: 16, rows: file.trimEnd().split('\n').length - 1 });
    expect(await exportToString(target)).toBe(file);
    // The list keys copied beside tags and products are not in the file: the triggers filled them from the articles.
    expect(parse(file).some((r) => 'article_title' in (r.row ?? {}))).toBe(false);
    const { articles, articleTags, articleProducts } = tablesOf(target.read);
    for (const link of [articleTags, articleProducts]) {
      const copies = await target.read
        .select({
          copy: link.articleTitle,
          title: articles.title,
          copyAt: link.articlePublishedAt,
          at: articles.publishedAt,
        })
        .from(link)
        .innerJoin(articles, eq(articles.id, link.articleId));
      expect(copies.length).toBeGreaterThan(0);
      for (const row of copies) expect([row.copy, row.copyAt]).toEqual([row.title, row.at]);
    }
  });

  it.runIf(TEST_ENGINE === 'postgres')('leaves PostgreSQL planning with the loaded row counts (ANALYZE)', async () => {
    const file = await exportToString(await filled());
    const target = await fresh();
    await importString(target, file);
    // Never analyzed, a table's reltuples is -1 and the planner guesses from its size: plans fit for an empty table.
    const stats = (await target.read.execute(
      sql`select relname, reltuples::int as n from pg_class where relname in ('article_tags', 'tags') order by relname`,
    )) as unknown as { rows: { relname: string; n: number }[] };
    expect(stats.rows).toEqual([
      { relname: 'article_tags', n: parse(file)[0].rows.article_tags },
      { relname: 'tags', n: parse(file)[0].rows.tags },
    ]);
  });

  it('refuses a database that is not empty, and leaves it unchanged', async () => {
    const file = await exportToString(await filled());
    const target = await fresh();
    await createKeyFor(target, 'editor');
    const before = await exportToString(target);
    const refused = importString(target, file);
    await expect(refused).rejects.toThrow(TransferError);
    await expect(refused).rejects.toThrow(/not empty \(api_keys: 1\)/);
    expect(await exportToString(target)).toBe(before);
  });

  it('refuses a file that is incomplete or holds a wrong value, and leaves the database empty', async () => {
    const file = await exportToString(await filled());
    const target = await fresh();
    const empty = await exportToString(target);
    const lines = file.trimEnd().split('\n');
    const cases: [string, RegExp][] = [
      [lines.slice(0, -1).join('\n'), /tips has 13 row\(s\) where line 1 announced 14/],
      [file.replace('"in_stock":true', '"in_stock":"yes"'), /products\.in_stock must be a boolean, got "yes"/],
      [file.replace('"slug":"sciatica-in-runners"', '"slug":null'), /articles\.slug must be a string, got null/],
      [file.replace('"format":"quire-export"', '"format":"other"'), /Line 1: not a Quire export/],
      [[lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n'), /Line 2: api_keys has 0 row\(s\)/],
      [[lines[0], lines[1], lines[2], lines[1], ...lines.slice(3)].join('\n'), /Line 4: a row of api_keys after/],
      ['', /empty/],
    ];
    for (const [text, message] of cases) {
      await expect(importString(target, text)).rejects.toThrow(message);
      expect(await exportToString(target)).toBe(empty);
    }
  });
});
