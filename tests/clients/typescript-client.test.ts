import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { generateSchemaTypes, SCHEMA_PATH } from '../../clients/typescript/scripts/schema-source.js';
import { createQuireClient, type ProblemCode } from '../../clients/typescript/src/index.js';
import type { PROBLEM_CODES } from '../../src/http/errors.js';
import { createTestApp } from '../helpers/app.js';
import { createArticle, createProduct, createSite } from '../helpers/factories.js';
import { createKeyFor } from '../helpers/keys.js';

describe('clients/typescript', () => {
  it('is exactly what `npm run client:generate` writes from the current routes', async () => {
    const committed = await readFile(SCHEMA_PATH, 'utf8');
    const fresh = await generateSchemaTypes();
    // On failure: run `npm run client:generate` and commit clients/typescript/src/schema.d.ts.
    expect(committed === fresh, 'clients/typescript/src/schema.d.ts is stale: run npm run client:generate').toBe(true);
  });

  it('types problem codes as the union of the codes the API uses', () => {
    expectTypeOf<ProblemCode>().toEqualTypeOf<(typeof PROBLEM_CODES)[number]>();
    expectTypeOf<'no_such_code'>().not.toMatchTypeOf<ProblemCode>();
  });
});

/** One call per public operation, and a moderation round trip, against a real socket. */
describe('the client against a running server', () => {
  it('covers every public operation', async () => {
    const { app, db } = await createTestApp({ config: { siteUrl: 'https://shop.example' } });
    await createSite(db);
    const product = await createProduct(db, { slug: 'cushion' });
    await createArticle(db, {
      slug: 'sciatica',
      tags: ['running'],
      products: [{ productId: product.id, pitch: 'Sit **better**' }],
    });
    const moderatorKey = await createKeyFor(db, 'moderator');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const client = createQuireClient({ baseUrl });
    const moderator = createQuireClient({ baseUrl, apiKey: moderatorKey });
    const called = new Set<string>();

    const live = await client.GET('/healthz');
    expect(live.response.status).toBe(200);
    called.add('getLiveness');
    const ready = await client.GET('/readyz');
    expect(ready.response.status).toBe(200);
    called.add('getReadiness');

    const site = await client.GET('/v1/site');
    expect(site.data?.name).toBe('Test site');
    called.add('getSite');

    const list = await client.GET('/v1/articles', { params: { query: { limit: 10, tag: 'running', format: 'html' } } });
    expect(list.data?.data.map((a) => a.slug)).toEqual(['sciatica']);
    expect(list.data?.data[0]?.summaryHtml).toMatch(/^<p>Summary \d+<\/p>\n$/);
    called.add('listArticles');

    const detail = await client.GET('/v1/articles/{slug}', {
      params: { path: { slug: 'sciatica' }, query: { format: 'html' } },
    });
    expect(detail.data?.products[0]?.pitchHtml).toBe('<p>Sit <strong>better</strong></p>\n');
    called.add('getArticle');

    const missing = await client.GET('/v1/articles/{slug}', { params: { path: { slug: 'nope' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.code).toBe('not_found');

    const submitted = await client.POST('/v1/articles/{slug}/comments', {
      params: { path: { slug: 'sciatica' } },
      body: { authorName: 'Ann', authorEmail: 'ann@example.com', body: 'Helpful, thanks!' },
    });
    expect(submitted.response.status).toBe(202);
    expect(submitted.data?.status).toBe('pending');
    called.add('submitComment');

    const approved = await moderator.PATCH('/v1/admin/comments/{id}', {
      params: { path: { id: submitted.data!.id } },
      body: { status: 'approved', note: 'fine' },
    });
    expect(approved.data?.status).toBe('approved');

    const thread = await client.GET('/v1/articles/{slug}/comments', {
      params: { path: { slug: 'sciatica' }, query: { format: 'html' } },
    });
    expect(thread.data?.data.map((c) => c.bodyHtml)).toEqual(['<p>Helpful, thanks!</p>']);
    called.add('listArticleComments');

    const products = await client.GET('/v1/products');
    expect(products.data?.data.map((p) => p.slug)).toEqual(['cushion']);
    called.add('listProducts');
    const one = await client.GET('/v1/products/{slug}', { params: { path: { slug: 'cushion' } } });
    expect(one.data?.articles.map((a) => a.slug)).toEqual(['sciatica']);
    called.add('getProduct');

    const tags = await client.GET('/v1/tags', { params: { query: { limit: 5 } } });
    expect(tags.data?.data).toEqual([{ slug: 'running', name: 'RUNNING', articleCount: 1 }]);
    called.add('listTags');
    const tag = await client.GET('/v1/tags/{slug}', { params: { path: { slug: 'running' } } });
    expect(tag.data?.articleCount).toBe(1);
    called.add('getTag');

    // The change feed from the outbox's start holds the comment approved above.
    const changes = await client.GET('/v1/changes', { params: { query: { since: 'MC4w', limit: 10 } } });
    expect(changes.response.headers.get('cache-control')).toBe('no-store');
    expect(changes.data?.data.map((c) => [c.type, c.slug])).toEqual([['comment.approved', 'sciatica']]);
    called.add('listChanges');

    const editor = createQuireClient({ baseUrl, apiKey: await createKeyFor(db, 'editor') });
    const draft = await createArticle(db, { slug: 'in-the-works', status: 'draft', publishedAt: null });
    const link = await editor.POST('/v1/admin/articles/{id}/preview', { params: { path: { id: draft.id } } });
    const preview = await client.GET('/v1/preview/articles/{id}', {
      params: { path: { id: draft.id }, query: { token: link.data!.token } },
    });
    expect(preview.data?.slug).toBe('in-the-works');
    expect(preview.data?.publishedAt).toBeNull();
    called.add('getArticlePreview');
    const found = await client.GET('/v1/articles', { params: { query: { q: 'summary' } } });
    expect(found.data?.data[0]?.snippet).toMatch(/<mark>Summary<\/mark>/);

    const xml = new XMLParser();
    const rss = await client.GET('/v1/feeds/rss.xml', { parseAs: 'text' });
    expect(xml.parse(rss.data as string).rss.channel.item.link).toBe('https://shop.example/articles/sciatica');
    called.add('getRssFeed');
    const atom = await client.GET('/v1/feeds/atom.xml', { params: { query: { tag: 'running' } }, parseAs: 'text' });
    expect(xml.parse(atom.data as string).feed.entry.id).toBe('https://shop.example/articles/sciatica');
    called.add('getAtomFeed');
    const json = await client.GET('/v1/feeds/feed.json');
    expect(json.data?.items.map((i) => i.url)).toEqual(['https://shop.example/articles/sciatica']);
    called.add('getJsonFeed');
    const sitemap = await client.GET('/sitemap.xml', { parseAs: 'text' });
    expect(sitemap.data as string).toContain('<loc>https://shop.example/articles/sciatica</loc>');
    called.add('getSitemap');
    // One file holds the whole sitemap here, so part 1 is the same list and part 2 does not exist.
    const part = await client.GET('/sitemaps/{file}', { params: { path: { file: '1.xml' } }, parseAs: 'text' });
    expect(part.data).toBe(sitemap.data);
    const none = await client.GET('/sitemaps/{file}', { params: { path: { file: '2.xml' } } });
    expect(none.error?.code).toBe('not_found');
    called.add('getSitemapPart');

    // Every public operation in the OpenAPI document has been called above.
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const publicOperations = Object.entries(doc.paths)
      .filter(([path]) => !path.startsWith('/v1/admin'))
      .flatMap(([, item]) => Object.values(item).map((op) => op.operationId))
      .sort();
    expect([...called].sort()).toEqual(publicOperations);
  });
});
