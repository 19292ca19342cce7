import { describe, expect, it } from 'vitest';
import { listEventsAfter, outboxStart } from '../../src/db/outbox.js';
import { announceDuePublications } from '../../src/modules/articles/publications.js';
import { createTestApp } from '../helpers/app.js';
import { createArticle, createComment, createProduct, createSite } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

async function setup() {
  const ctx = await createTestApp();
  const editor = bearer(await createKeyFor(ctx.db, 'editor'));
  const moderator = bearer(await createKeyFor(ctx.db, 'moderator'));
  return { ...ctx, editor, moderator };
}

type Ctx = Awaited<ReturnType<typeof setup>>;

async function events({ db }: Ctx) {
  const all = await listEventsAfter({ db: db.read, after: outboxStart, limit: 1000 });
  return all.map(({ type, kind, resourceId, slug, previousSlug, surrogateKeys }) => ({
    type,
    kind,
    resourceId,
    slug,
    previousSlug,
    keys: surrogateKeys.join(' '),
  }));
}

async function draft(ctx: Ctx, slug = 'neck-care') {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/admin/articles',
    headers: ctx.editor,
    payload: { title: 'Neck care', slug, sections: [{ heading: 'One', tips: [{ title: 'T', body: 'B' }] }] },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; slug: string };
}

const call = (ctx: Ctx, method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object, who = ctx.editor) =>
  ctx.app.inject({ method, url, headers: who, ...(payload ? { payload } : {}) });

describe('outbox events of editorial writes', () => {
  it('says nothing about drafts, then published, updated, slug_changed, unpublished, deleted', async () => {
    const ctx = await setup();
    const product = await createProduct(ctx.db);
    const { id } = await draft(ctx);
    expect((await call(ctx, 'PATCH', `/v1/admin/articles/${id}`, { title: 'Draft edit' })).statusCode).toBe(200);
    expect(await events(ctx)).toEqual([]);

    expect((await call(ctx, 'POST', `/v1/admin/articles/${id}/publish`)).statusCode).toBe(200);
    const put = await call(ctx, 'PUT', `/v1/admin/articles/${id}/products`, { products: [{ productId: product.id }] });
    expect(put.statusCode).toBe(200);
    expect((await call(ctx, 'PATCH', `/v1/admin/articles/${id}`, { slug: 'neck-relief' })).statusCode).toBe(200);
    expect((await call(ctx, 'POST', `/v1/admin/articles/${id}/unpublish`)).statusCode).toBe(200);
    expect((await call(ctx, 'POST', `/v1/admin/articles/${id}/publish`)).statusCode).toBe(200);
    expect((await call(ctx, 'DELETE', `/v1/admin/articles/${id}`)).statusCode).toBe(204);

    const keys = `articles article-${id} comments-${id}`;
    const withProduct = `${keys} product-${product.id}`;
    const base = { kind: 'article', resourceId: id, previousSlug: null };
    expect(await events(ctx)).toEqual([
      { ...base, type: 'article.published', slug: 'neck-care', keys },
      { ...base, type: 'article.updated', slug: 'neck-care', keys: withProduct },
      { ...base, type: 'article.slug_changed', slug: 'neck-relief', previousSlug: 'neck-care', keys: withProduct },
      { ...base, type: 'article.unpublished', slug: 'neck-relief', keys: withProduct },
      { ...base, type: 'article.published', slug: 'neck-relief', keys: withProduct },
      { ...base, type: 'article.deleted', slug: 'neck-relief', keys: withProduct },
    ]);
  });

  it('announces edits of sections and tips of a published article, and nothing for a no-op', async () => {
    const ctx = await setup();
    const article = await createArticle(ctx.db);
    const sectionId = article.sectionIds[0]!;
    expect((await call(ctx, 'PATCH', `/v1/admin/sections/${sectionId}`, { heading: 'New' })).statusCode).toBe(200);
    expect((await call(ctx, 'PATCH', `/v1/admin/sections/${sectionId}`, { heading: 'New' })).statusCode).toBe(200);
    const tip = await call(ctx, 'POST', `/v1/admin/sections/${sectionId}/tips`, { title: 'T2', body: 'B2' });
    expect(tip.statusCode).toBe(201);
    expect((await events(ctx)).map((e) => [e.type, e.resourceId])).toEqual([
      ['article.updated', article.id],
      ['article.updated', article.id],
    ]);
  });

  it('stores no event when the write fails: 409, 412, 422', async () => {
    const ctx = await setup();
    const a = await createArticle(ctx.db, { slug: 'taken' });
    const b = await createArticle(ctx.db);
    expect((await call(ctx, 'PATCH', `/v1/admin/articles/${b.id}`, { slug: 'taken' })).statusCode).toBe(409);
    const stale = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${a.id}`,
      headers: { ...ctx.editor, 'if-match': '"article-1-r999"' },
      payload: { title: 'x' },
    });
    expect(stale.statusCode).toBe(412);
    const links = await call(ctx, 'PUT', `/v1/admin/articles/${a.id}/products`, { products: [{ productId: 999 }] });
    expect(links.statusCode).toBe(422);
    await createComment(ctx.db, { articleId: a.id });
    expect((await call(ctx, 'DELETE', `/v1/admin/articles/${a.id}`)).statusCode).toBe(409);
    const product = await createProduct(ctx.db, { slug: 'used' });
    expect((await call(ctx, 'PATCH', `/v1/admin/products/${product.id}`, { slug: 'used' })).statusCode).toBe(200);
    const other = await createProduct(ctx.db);
    expect((await call(ctx, 'PATCH', `/v1/admin/products/${other.id}`, { slug: 'used' })).statusCode).toBe(409);
    expect(await events(ctx)).toEqual([]);
  });

  it('announces products with the articles featuring them, and the site', async () => {
    const ctx = await setup();
    const created = await call(ctx, 'POST', '/v1/admin/products', { name: 'Pillow', slug: 'pillow' });
    expect(created.statusCode).toBe(201);
    const productId = created.json().id as number;
    const article = await createArticle(ctx.db, { products: [{ productId }] });
    expect((await call(ctx, 'PATCH', `/v1/admin/products/${productId}`, { name: 'Soft pillow' })).statusCode).toBe(200);
    const removed = await call(ctx, 'DELETE', `/v1/admin/products/${productId}?force=true`);
    expect(removed.statusCode).toBe(204);
    await createSite(ctx.db);
    expect((await call(ctx, 'PATCH', '/v1/admin/site', { announcement: 'Sale' })).statusCode).toBe(200);
    expect((await call(ctx, 'PATCH', '/v1/admin/site', { announcement: 'Sale' })).statusCode).toBe(200);
    const base = { kind: 'product', resourceId: productId, slug: 'pillow', previousSlug: null };
    expect(await events(ctx)).toEqual([
      { ...base, type: 'product.updated', keys: `products product-${productId}` },
      { ...base, type: 'product.updated', keys: `products product-${productId} article-${article.id}` },
      { ...base, type: 'product.deleted', keys: `products product-${productId} article-${article.id}` },
      { type: 'site.updated', kind: 'site', resourceId: 1, slug: null, previousSlug: null, keys: 'site' },
    ]);
  });
});

describe('outbox events of comments', () => {
  it('announces a pending submission, approvals and removals, one per comment in bulk', async () => {
    const ctx = await setup();
    const article = await createArticle(ctx.db, { slug: 'desk' });
    const submitted = await ctx.app.inject({
      method: 'POST',
      url: '/v1/articles/desk/comments',
      payload: { authorName: 'Ann', authorEmail: 'ann@example.com', body: 'Thanks, this helped my back a lot.' },
    });
    expect(submitted.statusCode).toBe(202);
    const first = (await events(ctx))[0]!;
    expect(first).toMatchObject({
      type: 'comment.created',
      kind: 'comment',
      slug: 'desk',
      keys: `comments-${article.id}`,
    });
    const pending = first.resourceId;
    const a = await createComment(ctx.db, { articleId: article.id, status: 'pending' });
    const b = await createComment(ctx.db, { articleId: article.id, status: 'pending' });
    const bulk = await call(ctx, 'POST', '/v1/admin/comments/bulk', { ids: [a, b], status: 'approved' }, ctx.moderator);
    expect(bulk.statusCode).toBe(200);
    expect((await call(ctx, 'PATCH', `/v1/admin/comments/${a}`, { status: 'spam' }, ctx.moderator)).statusCode).toBe(
      200,
    );
    expect((await call(ctx, 'DELETE', `/v1/admin/comments/${b}`, undefined, ctx.moderator)).statusCode).toBe(204);
    expect(
      (await call(ctx, 'PATCH', `/v1/admin/comments/${pending}`, { status: 'rejected' }, ctx.moderator)).statusCode,
    ).toBe(200);
    expect((await events(ctx)).map((e) => [e.type, e.resourceId, e.keys])).toEqual([
      ['comment.created', pending, `comments-${article.id}`],
      ['comment.approved', a, `comments-${article.id}`],
      ['comment.approved', b, `comments-${article.id}`],
      ['comment.removed', a, `comments-${article.id}`],
      ['comment.removed', b, `comments-${article.id}`],
    ]);
  });
});

describe('scheduled publications', () => {
  it('announces a scheduled article once its date passes, once, whoever sweeps', async () => {
    const ctx = await setup();
    const { id } = await draft(ctx, 'later');
    await announceDuePublications({ db: ctx.db, now: ctx.clock.now });
    const at = new Date(ctx.clock.now.getTime() + 3_600_000).toISOString();
    expect((await call(ctx, 'POST', `/v1/admin/articles/${id}/publish`, { publishedAt: at })).statusCode).toBe(200);
    await ctx.app.runUpkeep();
    expect(await events(ctx)).toEqual([]);

    ctx.clock.advance(3_600_000);
    await Promise.all([ctx.app.runUpkeep(), announceDuePublications({ db: ctx.db, now: ctx.clock.now })]);
    ctx.clock.advance(60_000);
    await ctx.app.runUpkeep();
    expect((await events(ctx)).map((e) => [e.type, e.resourceId, e.slug])).toEqual([
      ['article.published', id, 'later'],
    ]);
  });

  it('does not announce again an article an editor published with a past date', async () => {
    const ctx = await setup();
    const { id } = await draft(ctx, 'backdated');
    await ctx.app.runUpkeep();
    ctx.clock.advance(60_000);
    const at = new Date(ctx.clock.now.getTime() - 30_000).toISOString();
    expect((await call(ctx, 'POST', `/v1/admin/articles/${id}/publish`, { publishedAt: at })).statusCode).toBe(200);
    ctx.clock.advance(60_000);
    await ctx.app.runUpkeep();
    expect((await events(ctx)).map((e) => e.type)).toEqual(['article.published']);
  });
});
