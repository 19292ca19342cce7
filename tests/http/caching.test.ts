import { describe, expect, it } from 'vitest';
import { seedSampleContent } from '../../seeds/load.js';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/factories.js';

describe('public caching', () => {
  it('sends a strong ETag, Cache-Control and Surrogate-Key, and answers a matching If-None-Match with 304', async () => {
    const statements: string[] = [];
    const { app, db } = await createTestApp({ traceSql: (sql) => statements.push(sql) });
    const { id, slug } = await createArticle(db);
    const first = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=300');
    expect(first.headers['surrogate-key']).toBe(`article-${id} comments-${id}`);

    statements.length = 0;
    const revalidated = await app.inject({
      method: 'GET',
      url: `/v1/articles/${slug}`,
      headers: { 'if-none-match': etag },
    });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
    expect(revalidated.headers.etag).toBe(etag);
    // Only the content version is read: the article is not assembled.
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/content_version/);

    const weak = await app.inject({
      method: 'GET',
      url: `/v1/articles/${slug}`,
      headers: { 'if-none-match': `"other", W/${etag}` },
    });
    expect(weak.statusCode).toBe(304);
  });

  it('names the article, its comments and each linked product in Surrogate-Key', async () => {
    const { app, db } = await createTestApp();
    const { createProduct } = await import('../helpers/factories.js');
    const first = await createProduct(db);
    const second = await createProduct(db);
    await createArticle(db, { slug: 'unrelated', products: [{ productId: second.id }] });
    const { id, slug } = await createArticle(db, { products: [{ productId: second.id }, { productId: first.id }] });
    const res = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    expect(String(res.headers['surrogate-key']).split(' ').sort()).toEqual(
      [`article-${id}`, `comments-${id}`, `product-${first.id}`, `product-${second.id}`].sort(),
    );
  });

  it('gives different requests different ETags', async () => {
    const { app, db } = await createTestApp();
    await createArticle(db);
    const a = await app.inject({ method: 'GET', url: '/v1/articles?limit=1' });
    const b = await app.inject({ method: 'GET', url: '/v1/articles?limit=2' });
    expect(a.headers.etag).not.toBe(b.headers.etag);
  });

  it('changes the ETag and the body after any write', async () => {
    const { app, db } = await createTestApp();
    const { id: articleId, slug } = await createArticle(db);
    const before = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    await createComment(db, { articleId });
    const after = await app.inject({
      method: 'GET',
      url: `/v1/articles/${slug}`,
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.json().commentCount).toBe(before.json().commentCount + 1);
  });

  it('changes the ETag when a scheduled article comes due, with no write', async () => {
    const { app, db, clock } = await createTestApp();
    await createArticle(db, { slug: 'now-live' });
    await createArticle(db, { slug: 'scheduled', publishedAt: new Date(clock.now.getTime() + 30_000).toISOString() });
    const before = await app.inject({ method: 'GET', url: '/v1/articles' });
    expect(before.json().data).toHaveLength(1);
    // s-maxage never runs past the next scheduled publication.
    expect(before.headers['cache-control']).toContain('s-maxage=30');

    clock.advance(10_000);
    const stillBefore = await app.inject({
      method: 'GET',
      url: '/v1/articles',
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(stillBefore.statusCode).toBe(304);

    clock.advance(20_000);
    const after = await app.inject({
      method: 'GET',
      url: '/v1/articles',
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.json().data.map((a: { slug: string }) => a.slug)).toContain('scheduled');
    expect(after.headers['cache-control']).toContain('s-maxage=60');
  });

  it('marks errors uncacheable and gives them no ETag', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/v1/articles/missing' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.etag).toBeUndefined();
  });

  it('uses the configured Cache-Control', async () => {
    const { app, db } = await createTestApp({ config: { cacheControl: 'public, max-age=5, s-maxage=120' } });
    const { slug } = await createArticle(db);
    const res = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    expect(res.headers['cache-control']).toBe('public, max-age=5, s-maxage=120');
  });
});

describe('public cache memory and validators', () => {
  it('remembers nothing for 404s and 400s, and stays within its byte budget for any number of 200 URLs', async () => {
    const { app, db } = await createTestApp({ config: { responseCacheBytes: 256 * 1024 } });
    await createArticle(db, { slug: 'kept' });
    const long = 'x'.repeat(15_000);
    for (let i = 0; i < 300; i++) {
      expect((await app.inject({ method: 'GET', url: `/v1/articles/missing-${i}` })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: `/v1/articles?limit=0&i=${i}${long}` })).statusCode).toBe(400);
    }
    expect(app.publicCache.stats()).toEqual({
      validators: { entries: 0, bytes: 0 },
      responses: { entries: 0, bytes: 0 },
    });

    // Distinct query strings on an article are 200s: remembered, but within the byte budgets.
    for (let i = 0; i < 600; i++) {
      expect(
        (await app.inject({ method: 'GET', url: `/v1/articles?tag=kept-${i}-${'a'.repeat(180)}` })).statusCode,
      ).toBe(200);
    }
    const stats = app.publicCache.stats();
    expect(stats.validators.bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(stats.validators.entries).toBeLessThanOrEqual(600);
    expect(stats.responses.bytes).toBeLessThanOrEqual(256 * 1024);

    // A representation answered 200 is remembered: its 304 and its bytes come without the database.
    const first = await app.inject({ method: 'GET', url: '/v1/articles/kept' });
    expect(first.statusCode).toBe(200);
    expect(app.publicCache.stats().validators.entries).toBe(stats.validators.entries + 1);
    const revalidated = await app.publicCache.resolve('/v1/articles/kept', first.headers.etag as string);
    expect(revalidated.notModified).toBe(true);
    expect((await app.publicCache.resolve('/v1/articles/kept', undefined)).hit?.body).toBe(first.body);
  });

  it('answers a correct If-None-Match with 304 only where the route answers 200', async () => {
    const { app, db } = await createTestApp();
    const { id } = await createArticle(db, { slug: 'new-home' });
    await db.withTransaction(async (tx) => {
      const { articleSlugRedirects } = tables;
      await tx
        .insert(articleSlugRedirects)
        .values({ slug: 'old-home', articleId: id, createdAt: '2026-01-01T00:00:00.000Z' });
    });
    const cases = [
      ['/v1/articles/missing', 404],
      ['/v1/articles?limit=0', 400],
      ['/v1/articles/old-home', 301],
    ] as const;
    for (const [url, status] of cases) {
      // The very ETag the server would compute for this URL in the current state.
      const { etag } = await app.publicCache.resolve(url, undefined);
      const res = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers.etag, url).toBeUndefined();
    }
    // A 200 never served by this process (another process, or evicted) still revalidates.
    const { etag } = await app.publicCache.resolve('/v1/articles/new-home', undefined);
    const fresh = await app.inject({ method: 'GET', url: '/v1/articles/new-home', headers: { 'if-none-match': etag } });
    expect(fresh.statusCode).toBe(304);
    expect(fresh.body).toBe('');
    expect(fresh.headers.etag).toBe(etag);
    expect(fresh.headers['content-type']).toBeUndefined();
  });

  it('gives identical content different ETags in two installations', async () => {
    const one = await createTestApp();
    const two = await createTestApp();
    for (const { db, clock } of [one, two])
      await seedSampleContent({ withTransaction: db.withTransaction, now: clock.now });
    const a = await one.app.inject({ method: 'GET', url: '/v1/articles/sciatica-in-runners' });
    const b = await two.app.inject({ method: 'GET', url: '/v1/articles/sciatica-in-runners' });
    expect(a.body).toBe(b.body);
    expect(a.headers.etag).not.toBe(b.headers.etag);
  });
});
