import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { TagListSchema } from '../../src/modules/tags/tags.schemas.js';
import { createTestApp, TEST_ENGINE } from '../helpers/app.js';
import { rawRows } from '../helpers/databases.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

async function world(traceSql?: (sql: string) => void) {
  const ctx = await createTestApp(traceSql ? { traceSql } : {});
  await createArticle(ctx.db, { slug: 'knee-and-hip', tags: ['knee', 'hip'] });
  await createArticle(ctx.db, { tags: ['knee'] });
  await createArticle(ctx.db, { tags: ['back', 'secret'], status: 'draft' });
  await createArticle(ctx.db, { tags: ['back', 'future'], publishedAt: '2027-01-01T00:00:00.000Z' });
  await createArticle(ctx.db, { tags: ['ankle'] });
  return ctx;
}

describe('GET /v1/tags', () => {
  it('lists tags with published articles by slug, with their counts, page by page', async () => {
    const { app } = await world();
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof app.inject>> = await app.inject({
        method: 'GET',
        url: `/v1/tags?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBeDefined();
      expect(res.headers['surrogate-key']).toMatch(/^articles tag-\d+/);
      const body = TagListSchema.parse(res.json());
      expect(TagListSchema.parse(body)).toEqual(body);
      seen.push(...body.data);
      cursor = body.meta.nextCursor;
    } while (cursor);
    expect(seen).toEqual([
      { slug: 'ankle', name: 'ANKLE', articleCount: 1 },
      { slug: 'hip', name: 'HIP', articleCount: 1 },
      { slug: 'knee', name: 'KNEE', articleCount: 2 },
    ]);
  });

  it('answers 304 to a revalidation', async () => {
    const { app } = await world();
    const first = await app.inject({ method: 'GET', url: '/v1/tags' });
    const again = await app.inject({
      method: 'GET',
      url: '/v1/tags',
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });
});

describe('GET /v1/tags/{slug}', () => {
  it('serves a tag with its count, and 404 for an unknown tag or one without published articles', async () => {
    const { app } = await world();
    const knee = await app.inject({ method: 'GET', url: '/v1/tags/knee' });
    expect(knee.statusCode).toBe(200);
    expect(knee.json()).toEqual({ slug: 'knee', name: 'KNEE', articleCount: 2 });
    expect(knee.headers['surrogate-key']).toMatch(/^articles tag-\d+$/);
    for (const slug of ['unknown', 'secret', 'future']) {
      const res: Awaited<ReturnType<typeof app.inject>> = await app.inject({ method: 'GET', url: `/v1/tags/${slug}` });
      expect(res.statusCode, slug).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await app.inject({ method: 'GET', url: '/v1/tags/Not%20a%20slug' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/tags?cursor=nonsense' })).statusCode).toBe(400);
  });
});

describe('tag counts', () => {
  it('follow a scheduled article coming due, an unpublish and a tag change at once', async () => {
    const { app, db, clock } = await world();
    const counts = async () =>
      Object.fromEntries(
        TagListSchema.parse((await app.inject({ method: 'GET', url: '/v1/tags?limit=100' })).json()).data.map((t) => [
          t.slug,
          t.articleCount,
        ]),
      );
    expect(await counts()).toEqual({ ankle: 1, hip: 1, knee: 2 });
    clock.advance(366 * 24 * 3_600_000);
    expect(await counts()).toEqual({ ankle: 1, back: 1, future: 1, hip: 1, knee: 2 });
    const headers = bearer(await createKeyFor(db, 'editor'));
    const articles = (await app.inject({ method: 'GET', url: '/v1/admin/articles?limit=100', headers })).json()
      .data as { id: number; slug: string }[];
    const kneeAndHip = articles.find((a) => a.slug === 'knee-and-hip')!.id;
    const write = async (url: string, payload: object, method: 'POST' | 'PATCH' = 'POST') =>
      expect((await app.inject({ method, url, headers, payload })).statusCode).toBeLessThan(300);
    await write(`/v1/admin/articles/${kneeAndHip}/unpublish`, {});
    expect(await counts()).toEqual({ ankle: 1, back: 1, future: 1, knee: 1 });
    await write(`/v1/admin/articles/${kneeAndHip}/publish`, {});
    await write(`/v1/admin/articles/${kneeAndHip}`, { tags: ['ankle'] }, 'PATCH');
    expect(await counts()).toEqual({ ankle: 2, back: 1, future: 1, knee: 1 });
  });
});

// PostgreSQL plans by statistics, which a handful of test rows do not give; SQLite's plans are fixed by the statements.
describe.skipIf(TEST_ENGINE !== 'sqlite')('tag count plans (SQLite)', () => {
  it('walks tags by slug and counts each in its links index, reading no article', async () => {
    const statements: string[] = [];
    const { app, db } = await world((statement) => statements.push(statement));
    for (const url of ['/v1/tags?limit=2', '/v1/tags/knee']) {
      statements.length = 0;
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
      const counting = statements.find((s) => s.includes('count(*)'));
      const plan = (await rawRows<{ detail: string }>(db, sql.raw(`explain query plan ${counting}`))).map(
        (r) => r.detail,
      );
      expect(
        plan.filter((line) => line.includes('article_tags')),
        url,
      ).toEqual([
        expect.stringMatching(/^SEARCH article_tags EXISTS USING COVERING INDEX article_tags_date_idx /),
        expect.stringMatching(/^SEARCH article_tags USING COVERING INDEX article_tags_date_idx /),
      ]);
      expect(
        plan.some((line) => /\barticles\b/.test(line)),
        `${url}: ${plan.join('; ')}`,
      ).toBe(false);
    }
  });
});
