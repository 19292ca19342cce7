import { readdirSync, readFileSync } from 'node:fs';
import { generateSQLiteDrizzleJson, generateSQLiteMigration } from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema.js';
import { createTestApp } from '../helpers/app.js';

const META = new URL('../../migrations/meta/', import.meta.url);

function lastSnapshot() {
  const journal = JSON.parse(readFileSync(new URL('_journal.json', META), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  const last = journal.entries.at(-1)!;
  const file = readdirSync(META).find((name) => name.startsWith(`${String(last.idx).padStart(4, '0')}_snapshot`))!;
  return JSON.parse(readFileSync(new URL(file, META), 'utf8'));
}

describe('migrations', () => {
  it('match schema.ts: generating from the committed snapshot yields no statements', async () => {
    // Same casing as drizzle.config.ts and src/db/client.ts.
    const current = await generateSQLiteDrizzleJson(schema, undefined, 'snake_case');
    const statements = await generateSQLiteMigration(lastSnapshot(), current);
    expect(statements, 'schema.ts changed: run `npm run db:generate` and commit the migration').toEqual([]);
  });

  it('are applied on start, creating every table of the schema', async () => {
    const { db } = await createTestApp();
    const { sql } = await import('drizzle-orm');
    const rows = db.read.all<{ name: string }>(
      sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'`,
    );
    const expected = [
      'api_keys',
      'article_products',
      'article_slug_redirects',
      'article_tags',
      'articles',
      'comments',
      'content_version',
      'instance_secrets',
      'moderation_events',
      'products',
      'sections',
      'site',
      'tags',
      'tips',
    ];
    expect(rows.map((r) => r.name).sort()).toEqual(expected);
  });
});
