import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedSampleContent } from '../../seeds/load.js';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createComment, createProduct, createSite } from '../helpers/factories.js';

const { comments } = tables;

describe('GET /v1/articles/{slug}/comments', () => {
  it('shows only approved roots, oldest first, each with its approved replies', async () => {
    const { app, db } = await createTestApp();
    const { id: articleId, slug } = await createArticle(db);
    const first = await createComment(db, { articleId, createdAt: '2026-01-01T00:00:01.000Z' });
    const second = await createComment(db, { articleId, createdAt: '2026-01-01T00:00:02.000Z' });
    await createComment(db, { articleId, status: 'pending' });
    await createComment(db, { articleId, status: 'rejected' });
    await createComment(db, { articleId, status: 'spam' });
    await createComment(db, { articleId, deletedAt: '2026-01-02T00:00:00.000Z' });
    const reply = await createComment(db, { articleId, parentId: first, createdAt: '2026-01-01T00:00:05.000Z' });
    await createComment(db, { articleId, parentId: first, status: 'pending' });

    const res = await app.inject({ method: 'GET', url: `/v1/articles/${slug}/comments` });
    expect(res.statusCode).toBe(200);
    const { data, meta } = res.json();
    expect(meta).toEqual({ limit: 20, nextCursor: null });
    expect(data.map((c: { id: number }) => c.id)).toEqual([first, second]);
    expect(data[0].replies.map((r: { id: number }) => r.id)).toEqual([reply]);
    expect(Object.keys(data[0]).sort()).toEqual(['authorName', 'body', 'createdAt', 'id', 'replies']);
    expect(Object.keys(data[0].replies[0]).sort()).toEqual(['authorName', 'body', 'createdAt', 'id']);
  });

  it('hides the replies of a root that is no longer visible, and counts exactly what it shows', async () => {
    const { app, db } = await createTestApp();
    const { id: articleId, slug } = await createArticle(db);
    const hiddenRoot = await createComment(db, { articleId, status: 'rejected' });
    await createComment(db, { articleId, parentId: hiddenRoot });
    const deletedRoot = await createComment(db, { articleId, deletedAt: '2026-01-02T00:00:00.000Z' });
    await createComment(db, { articleId, parentId: deletedRoot });
    const visibleRoot = await createComment(db, { articleId });
    await createComment(db, { articleId, parentId: visibleRoot });

    const thread = (await app.inject({ method: 'GET', url: `/v1/articles/${slug}/comments` })).json();
    const shown =
      thread.data.length + thread.data.reduce((n: number, c: { replies: unknown[] }) => n + c.replies.length, 0);
    expect(shown).toBe(2);
    const article = (await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).json();
    const listed = (await app.inject({ method: 'GET', url: '/v1/articles' })).json().data[0];
    expect(article.commentCount).toBe(shown);
    expect(listed.commentCount).toBe(shown);
  });

  it('pages roots by keyset cursor, each exactly once', async () => {
    const { app, db } = await createTestApp();
    const { id: articleId, slug } = await createArticle(db);
    const ids: number[] = [];
    for (let i = 0; i < 7; i += 1)
      ids.push(await createComment(db, { articleId, createdAt: `2026-01-01T00:00:0${i % 3}.000Z` }));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/articles/${slug}/comments?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await app.inject({ method: 'GET', url })).json();
      seen.push(...body.data.map((c: { id: number }) => c.id));
      cursor = body.meta.nextCursor;
    } while (cursor);
    const expected = ids
      .map((id, i) => ({ id, at: i % 3 }))
      .sort((a, b) => a.at - b.at || a.id - b.id)
      .map((c) => c.id);
    expect(seen).toEqual(expected);
  });

  it('answers 404 for a missing article and 400 for a bad limit', async () => {
    const { app } = await createTestApp();
    expect((await app.inject({ method: 'GET', url: '/v1/articles/missing/comments' })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/v1/articles/missing/comments?limit=500' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ location: 'query', pointer: '/limit' });
  });

  it('never shows an e-mail address, address hash or status in any public body', async () => {
    const { app, db, clock } = await createTestApp();
    await createSite(db);
    await seedSampleContent({ withTransaction: db.withTransaction, now: clock.now });
    const product = await createProduct(db);
    const { id: articleId, slug } = await createArticle(db, { products: [{ productId: product.id }] });
    const root = await createComment(db, { articleId, authorEmail: 'secret.root@example.org' });
    await createComment(db, { articleId, parentId: root, authorEmail: 'secret.reply@example.org' });
    await createComment(db, { articleId, status: 'pending', authorEmail: 'secret.pending@example.org' });
    // A reader's own submission, approved: its e-mail must not surface either.
    const submitted = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      payload: { authorName: 'Sub', authorEmail: 'secret.submitted@example.org', body: 'Mine' },
    });
    expect(submitted.body).not.toContain('@example');
    await db.withTransaction(async (tx) => {
      await tx.update(comments).set({ status: 'approved' }).where(eq(comments.id, submitted.json().id));
    });
    const urls = [
      '/v1/site',
      '/v1/articles',
      `/v1/articles/${slug}`,
      `/v1/articles/${slug}/comments`,
      '/v1/articles/sciatica-in-runners',
      '/v1/articles/sciatica-in-runners/comments',
      '/v1/products',
      `/v1/products/${product.slug}`,
      '/v1/products/memory-foam-seat-cushions',
    ];
    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).not.toMatch(/@example\.(org|com)/);
      expect(res.body).not.toMatch(/authorEmail|addressHash|contentHash|spamScore|"status"/);
    }
  });
});
