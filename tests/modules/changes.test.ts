import { describe, expect, it } from 'vitest';
import { recordEvents } from '../../src/db/outbox.js';
import { createTestApp, TEST_ENGINE } from '../helpers/app.js';
import { TEST_DATABASE_URL } from '../helpers/databases.js';
import { createArticle, createComment, createProduct } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const START = Buffer.from('0.0').toString('base64url');

async function setup(config = {}) {
  const ctx = await createTestApp({ config });
  const editor = bearer(await createKeyFor(ctx.db, 'editor'));
  const moderator = bearer(await createKeyFor(ctx.db, 'moderator'));
  const changes = async (query: string) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/changes${query}` });
    return { status: res.statusCode, headers: res.headers, body: res.json() };
  };
  return { ...ctx, editor, moderator, changes };
}

function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('GET /v1/changes', () => {
  it('starts from now without since, then pages public changes in commit order, never caching', async () => {
    const ctx = await setup();
    const first = await ctx.changes('');
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toEqual({ data: [], meta: { limit: 100, nextCursor: START } });

    const product = await createProduct(ctx.db);
    const article = await createArticle(ctx.db, { status: 'draft', slug: 'chair' });
    const publish = await ctx.app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${article.id}/publish`,
      headers: ctx.editor,
    });
    expect(publish.statusCode).toBe(200);
    const patch = { slug: 'chair-setup' };
    await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${article.id}`,
      headers: ctx.editor,
      payload: patch,
    });
    await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/products/${product.id}`,
      headers: ctx.editor,
      payload: { name: 'Renamed' },
    });
    // A reader's pending comment is not public: it never shows; its approval does, as the article's.
    const submitted = await ctx.app.inject({
      method: 'POST',
      url: '/v1/articles/chair-setup/comments',
      payload: { authorName: 'Ann', authorEmail: 'ann@example.com', body: 'Good advice about chairs.' },
    });
    expect(submitted.statusCode).toBe(202);
    const commentId = submitted.json().id as number;
    await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/comments/${commentId}`,
      headers: ctx.moderator,
      payload: { status: 'approved' },
    });
    await ctx.app.inject({ method: 'POST', url: `/v1/admin/articles/${article.id}/unpublish`, headers: ctx.editor });

    const page1 = await ctx.changes(`?since=${first.body.meta.nextCursor}&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((c: { type: string }) => c.type)).toEqual(['article.published', 'article.slug_changed']);
    expect(page1.body.data[1]).toMatchObject({
      kind: 'article',
      id: article.id,
      slug: 'chair-setup',
      previousSlug: 'chair',
      at: '2026-06-01T12:00:00.000Z',
    });
    expect(page1.body.meta).toEqual({ limit: 2, nextCursor: page1.body.data[1].cursor });
    const page2 = await ctx.changes(`?since=${page1.body.meta.nextCursor}`);
    expect(page2.body.data.map(({ cursor: _c, at: _a, ...rest }: Record<string, unknown>) => rest)).toEqual([
      { type: 'product.updated', kind: 'product', id: product.id, slug: product.slug },
      { type: 'comment.approved', kind: 'article', id: article.id, slug: 'chair-setup' },
      { type: 'article.unpublished', kind: 'article', id: article.id, slug: 'chair-setup' },
    ]);
    const idle = await ctx.changes(`?since=${page2.body.meta.nextCursor}`);
    expect(idle.body).toEqual({ data: [], meta: { limit: 100, nextCursor: page2.body.meta.nextCursor } });
  });

  it('answers 400 to a malformed cursor or limit', async () => {
    const ctx = await setup();
    for (const query of ['?since=nope!', `?since=${Buffer.from('1.x').toString('base64url')}`, '?since=', '?limit=0']) {
      const res = await ctx.changes(query);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('invalid_request');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('prunes past the retention and answers 410 cursor_expired to a cursor behind what was pruned', async () => {
    const ctx = await setup({ changesRetentionDays: 1 });
    const article = await createArticle(ctx.db);
    const patch = (title: string) =>
      ctx.app.inject({
        method: 'PATCH',
        url: `/v1/admin/articles/${article.id}`,
        headers: ctx.editor,
        payload: { title },
      });
    await patch('Old news');
    const before = (await ctx.changes('')).body.meta.nextCursor as string;
    const { body: start } = await ctx.changes(`?since=${START}`);
    expect(start.data).toHaveLength(1);
    ctx.clock.advance(2 * 86_400_000);
    await patch('Fresh news');
    await ctx.app.runUpkeep();

    const expired = await ctx.changes(`?since=${START}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ code: 'cursor_expired', status: 410 });
    expect(expired.body.detail).toMatch(/resync from the lists/);
    // A reader that had seen everything up to the pruned event misses nothing: it goes on.
    const onTime = await ctx.changes(`?since=${before}`);
    expect(onTime.status).toBe(200);
    expect(onTime.body.data.map((c: { type: string }) => c.type)).toEqual(['article.updated']);
  });

  it('never skips an event of a transaction that began earlier and commits later (PostgreSQL)', async (t) => {
    if (TEST_ENGINE === 'sqlite') return t.skip('SQLite has one writer: ids already follow commit order');
    if (!TEST_DATABASE_URL) return t.skip('PGlite runs one session: overlapping transactions need TEST_DATABASE_URL');
    const ctx = await setup();
    const product = await createProduct(ctx.db);
    const start = (await ctx.changes('')).body.meta.nextCursor as string;
    const event = (resourceId: number) => ({
      type: 'product.updated' as const,
      kind: 'product' as const,
      resourceId,
      slug: product.slug,
      surrogateKeys: [`product-${resourceId}`],
    });
    const wrote = latch();
    const release = latch();
    const slow = ctx.db.withTransaction(async (tx) => {
      await recordEvents({ tx, events: [event(1)], at: ctx.clock.now.toISOString() });
      wrote.open();
      await release.opened;
    });
    await wrote.opened;
    await ctx.db.withTransaction((tx) => recordEvents({ tx, events: [event(2)], at: ctx.clock.now.toISOString() }));

    const early = await ctx.changes(`?since=${start}`);
    expect(early.body.data).toEqual([]);
    expect(early.body.meta.nextCursor).toBe(start);
    release.open();
    await slow;
    const late = await ctx.changes(`?since=${early.body.meta.nextCursor}`);
    expect(late.body.data.map((c: { id: number }) => c.id)).toEqual([1, 2]);
  });
});

describe('comment events in the feed', () => {
  it('shows an approved comment leaving as comment.removed on its article', async () => {
    const ctx = await setup();
    const article = await createArticle(ctx.db, { slug: 'sofa' });
    const comment = await createComment(ctx.db, { articleId: article.id, status: 'approved' });
    const start = (await ctx.changes('')).body.meta.nextCursor as string;
    const res = await ctx.app.inject({
      method: 'DELETE',
      url: `/v1/admin/comments/${comment}`,
      headers: ctx.moderator,
    });
    expect(res.statusCode).toBe(204);
    const { body } = await ctx.changes(`?since=${start}`);
    expect(body.data).toMatchObject([{ type: 'comment.removed', kind: 'article', id: article.id, slug: 'sofa' }]);
  });
});
