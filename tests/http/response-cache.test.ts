import { describe, expect, it } from 'vitest';
import { createResponseCache, ENTRY_OVERHEAD_BYTES } from '../../src/http/response-cache.js';
import { createTestApp } from '../helpers/app.js';
import { openSharedTestDatabases } from '../helpers/databases.js';
import { createArticle, createComment, createProduct } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

async function setup() {
  const statements: string[] = [];
  const ctx = await createTestApp({
    config: { responseCacheBytes: 1024 * 1024 },
    traceSql: (sql) => statements.push(sql),
  });
  const editor = bearer(await createKeyFor(ctx.db, 'editor'));
  const moderator = bearer(await createKeyFor(ctx.db, 'moderator'));
  const product = await createProduct(ctx.db, { slug: 'shoe', name: 'Shoe' });
  const article = await createArticle(ctx.db, {
    slug: 'cached',
    sections: [
      { heading: 'One', tips: [{ title: 'T1', body: 'B1' }] },
      { heading: 'Two', tips: [{ title: 'T2', body: 'B2' }] },
    ],
    products: [{ productId: product.id }],
  });
  const comment = await createComment(ctx.db, { articleId: article.id, status: 'pending', body: 'Awaiting' });
  const plain = await createArticle(ctx.db, { slug: 'plain' });
  const admin = (
    await ctx.app.inject({ method: 'GET', url: `/v1/admin/articles/${article.id}`, headers: editor })
  ).json();
  return { ...ctx, statements, editor, moderator, product, article, comment, admin, plain };
}

type Ctx = Awaited<ReturnType<typeof setup>>;

const get = async (ctx: Ctx, url: string) => {
  const res = await ctx.app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : null, etag: res.headers.etag };
};

// Each write path, the public URL it must change, and what the change looks like there.
// biome-ignore lint/suspicious/noExplicitAny: bodies are checked by value against what each write changed
const cases: [string, string, (ctx: Ctx) => Promise<unknown>, (body: any, status: number) => void][] = [
  [
    'article PATCH',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/articles/${c.article.id}`,
        headers: c.editor,
        payload: { title: 'New title' },
      }),
    (b) => expect(b.title).toBe('New title'),
  ],
  [
    'article PATCH (list)',
    '/v1/articles',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/articles/${c.article.id}`,
        headers: c.editor,
        payload: { summary: 'New summary' },
      }),
    (b) => expect(b.data.find((a: { slug: string }) => a.slug === 'cached').summary).toBe('New summary'),
  ],
  [
    'article unpublish',
    '/v1/articles/cached',
    (c) => c.app.inject({ method: 'POST', url: `/v1/admin/articles/${c.article.id}/unpublish`, headers: c.editor }),
    (_b, s) => expect(s).toBe(404),
  ],
  [
    'article publish',
    '/v1/articles',
    async (c) => {
      const created = (
        await c.app.inject({
          method: 'POST',
          url: '/v1/admin/articles',
          headers: c.editor,
          payload: { title: 'Fresh', sections: [{ heading: 'H' }] },
        })
      ).json();
      await c.app.inject({ method: 'POST', url: `/v1/admin/articles/${created.id}/publish`, headers: c.editor });
    },
    (b) => expect(b.data.map((a: { slug: string }) => a.slug)).toContain('fresh'),
  ],
  [
    'article DELETE',
    '/v1/articles/plain',
    (c) => c.app.inject({ method: 'DELETE', url: `/v1/admin/articles/${c.plain.id}`, headers: c.editor }),
    (_b, s) => expect(s).toBe(404),
  ],
  [
    'section POST',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'POST',
        url: `/v1/admin/articles/${c.article.id}/sections`,
        headers: c.editor,
        payload: { heading: 'Three' },
      }),
    (b) => expect(b.sections).toHaveLength(3),
  ],
  [
    'section PATCH',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/sections/${c.admin.sections[1].id}`,
        headers: c.editor,
        payload: { position: 1 },
      }),
    (b) => expect(b.sections[0].heading).toBe('Two'),
  ],
  [
    'section DELETE',
    '/v1/articles/cached',
    (c) => c.app.inject({ method: 'DELETE', url: `/v1/admin/sections/${c.admin.sections[0].id}`, headers: c.editor }),
    (b) => expect(b.sections.map((s: { heading: string }) => s.heading)).toEqual(['Two']),
  ],
  [
    'tip POST',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'POST',
        url: `/v1/admin/sections/${c.admin.sections[0].id}/tips`,
        headers: c.editor,
        payload: { title: 'T3', body: 'B3' },
      }),
    (b) => expect(b.sections[0].tips).toHaveLength(2),
  ],
  [
    'tip PATCH',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/tips/${c.admin.sections[0].tips[0].id}`,
        headers: c.editor,
        payload: { body: 'Edited' },
      }),
    (b) => expect(b.sections[0].tips[0].body).toBe('Edited'),
  ],
  [
    'tip DELETE',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({ method: 'DELETE', url: `/v1/admin/tips/${c.admin.sections[0].tips[0].id}`, headers: c.editor }),
    (b) => expect(b.sections[0].tips).toEqual([]),
  ],
  [
    'product links PUT',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'PUT',
        url: `/v1/admin/articles/${c.article.id}/products`,
        headers: c.editor,
        payload: { products: [] },
      }),
    (b) => expect(b.products).toEqual([]),
  ],
  [
    'product PATCH',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/products/${c.product.id}`,
        headers: c.editor,
        payload: { name: 'Better Shoe' },
      }),
    (b) => expect(b.products[0].name).toBe('Better Shoe'),
  ],
  [
    'product PATCH (product page)',
    '/v1/products/shoe',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/products/${c.product.id}`,
        headers: c.editor,
        payload: { inStock: false },
      }),
    (b) => expect(b.inStock).toBe(false),
  ],
  [
    'product DELETE',
    '/v1/articles/cached',
    (c) => c.app.inject({ method: 'DELETE', url: `/v1/admin/products/${c.product.id}?force=true`, headers: c.editor }),
    (b) => expect(b.products).toEqual([]),
  ],
  [
    'product POST',
    '/v1/products',
    (c) => c.app.inject({ method: 'POST', url: '/v1/admin/products', headers: c.editor, payload: { name: 'Cushion' } }),
    (b) => expect(b.data.map((p: { name: string }) => p.name)).toContain('Cushion'),
  ],
  [
    'comment PATCH',
    '/v1/articles/cached/comments',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/comments/${c.comment}`,
        headers: c.moderator,
        payload: { status: 'approved' },
      }),
    (b) => expect(b.data.map((x: { body: string }) => x.body)).toEqual(['Awaiting']),
  ],
  [
    'comment PATCH (count)',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/comments/${c.comment}`,
        headers: c.moderator,
        payload: { status: 'approved' },
      }),
    (b) => expect(b.commentCount).toBe(1),
  ],
  [
    'comment bulk',
    '/v1/articles/cached/comments',
    (c) =>
      c.app.inject({
        method: 'POST',
        url: '/v1/admin/comments/bulk',
        headers: c.moderator,
        payload: { ids: [c.comment], status: 'approved' },
      }),
    (b) => expect(b.data).toHaveLength(1),
  ],
  [
    'slug move',
    '/v1/articles/cached',
    (c) =>
      c.app.inject({
        method: 'PATCH',
        url: `/v1/admin/articles/${c.article.id}`,
        headers: c.editor,
        payload: { slug: 'moved' },
      }),
    (_b, s) => expect(s).toBe(301),
  ],
];

describe('response cache stays correct under every write path', () => {
  it.each(cases)(
    '%s: a second read of %s is a cache hit, and the write changes it at once',
    async (_name, url, act, check) => {
      const ctx = await setup();
      const first = await get(ctx, url);
      ctx.statements.length = 0;
      const cached = await get(ctx, url);
      // A hit reads the content version and nothing else: the body came from memory.
      expect(ctx.statements, 'the second read ran queries beyond the content version').toHaveLength(1);
      expect(cached).toEqual(first);
      await act(ctx);
      const after = await get(ctx, url);
      expect(after.etag).not.toBe(first.etag);
      check(after.body, after.status);
    },
  );

  it('drops a deleted comment from the cached thread and from the cached comment count at once', async () => {
    const ctx = await setup();
    await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/comments/${ctx.comment}`,
      headers: ctx.moderator,
      payload: { status: 'approved' },
    });
    expect((await get(ctx, '/v1/articles/cached/comments')).body.data).toHaveLength(1);
    await ctx.app.inject({ method: 'DELETE', url: `/v1/admin/comments/${ctx.comment}`, headers: ctx.moderator });
    expect((await get(ctx, '/v1/articles/cached/comments')).body.data).toEqual([]);
    expect((await get(ctx, '/v1/articles/cached')).body.commentCount).toBe(0);
  });

  it('serves a cache hit with one statement and the same headers', async () => {
    const statements: string[] = [];
    const ctx = await createTestApp({
      config: { responseCacheBytes: 1024 * 1024 },
      traceSql: (sql) => statements.push(sql),
    });
    await createArticle(ctx.db, { slug: 'hit' });
    const miss = await ctx.app.inject({ method: 'GET', url: '/v1/articles/hit' });
    statements.length = 0;
    const hit = await ctx.app.inject({ method: 'GET', url: '/v1/articles/hit' });
    expect(statements).toHaveLength(1);
    expect(hit.body).toBe(miss.body);
    for (const header of ['etag', 'cache-control', 'surrogate-key', 'content-type'])
      expect(hit.headers[header], header).toBe(miss.headers[header]);
  });

  it('is not changed by a comment submission, which changes nothing public', async () => {
    const ctx = await setup();
    const before = await get(ctx, '/v1/articles/cached');
    await ctx.app.inject({
      method: 'POST',
      url: '/v1/articles/cached/comments',
      payload: { authorName: 'A', authorEmail: 'a@example.org', body: 'Hi' },
    });
    expect((await get(ctx, '/v1/articles/cached')).etag).toBe(before.etag);
  });

  it('agrees across processes sharing one database, including one started after a publication came due', async () => {
    const [one, other] = await openSharedTestDatabases();
    const early = await createTestApp({ db: one });
    await createArticle(early.db, { slug: 'live' });
    await createArticle(early.db, {
      slug: 'soon',
      publishedAt: new Date(early.clock.now.getTime() + 30_000).toISOString(),
    });
    const before = await early.app.inject({ method: 'GET', url: '/v1/articles' });
    const late = await createTestApp({ db: other });
    late.clock.advance(60_000);
    const res = await late.app.inject({
      method: 'GET',
      url: '/v1/articles',
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((a: { slug: string }) => a.slug)).toEqual(['soon', 'live']);
    // A write through one process is seen by the other's cache at once.
    await createArticle(late.db, { slug: 'third' });
    early.clock.advance(60_000);
    const fromEarly = (await early.app.inject({ method: 'GET', url: '/v1/articles' })).json();
    expect(fromEarly.data.map((a: { slug: string }) => a.slug)).toContain('third');
  });
});

describe('createResponseCache', () => {
  it('evicts the least recently used entries past its byte budget', () => {
    const cache = createResponseCache(25 + 2 * ENTRY_OVERHEAD_BYTES);
    cache.set('a', { body: 'x'.repeat(9), surrogateKey: undefined });
    cache.set('b', { body: 'y'.repeat(9), surrogateKey: undefined });
    cache.get('a');
    cache.set('c', { body: 'z'.repeat(9), surrogateKey: undefined });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.body).toBe('x'.repeat(9));
    expect(cache.stats()).toEqual({ entries: 2, bytes: 20 + 2 * ENTRY_OVERHEAD_BYTES });
    cache.set('huge', { body: 'w'.repeat(100), surrogateKey: undefined });
    expect(cache.get('huge')).toBeUndefined();
  });
});
