import { describe, expect, it } from 'vitest';
import { seedSampleContent } from '../../seeds/load.js';
import { ArticleListSchema, ArticleSchema } from '../../src/modules/articles/articles.schemas.js';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createProduct } from '../helpers/factories.js';

async function sampleApp() {
  const ctx = await createTestApp();
  await seedSampleContent({ withTransaction: ctx.db.withTransaction, now: ctx.clock.now });
  return ctx;
}

describe('GET /v1/articles/{slug}', () => {
  it('serves the sample article whole: sections and tips in order, text verbatim, products', async () => {
    const { app } = await sampleApp();
    const res = await app.inject({ method: 'GET', url: '/v1/articles/sciatica-in-runners' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const article = res.json();
    // The database builds this JSON; it must be exactly what the documented schema describes.
    expect(ArticleSchema.parse(article)).toEqual(article);
    expect(article.title).toBe('Sciatica in Runners: Causes, Prevention, and Rehabilitation');
    expect(article.image).toEqual({
      url: '/images/sciatica-in-runners.jpg',
      alt: 'Sciatica in Runners',
      caption: null,
    });
    expect(article.intro).toMatch(/^Sciatica, a condition characterized by pain radiating along the sciatic nerve/);
    expect(article.conclusion).toMatch(/^Sciatica can be a frustrating and painful condition for runners\./);
    expect(article.sections.map((s: { position: number }) => s.position)).toEqual([1, 2, 3]);
    expect(article.sections.map((s: { heading: string }) => s.heading)).toEqual([
      'Causes of Sciatica in Runners',
      'Prevention Strategies for Runners',
      'Rehabilitation Techniques for Runners with Sciatica',
    ]);
    expect(article.sections[0].lead).toBe('Sciatica in runners can be attributed to various factors, including:');
    expect(article.sections.map((s: { tips: unknown[] }) => s.tips.length)).toEqual([4, 5, 5]);
    const [causes, prevention, rehab] = article.sections;
    expect(causes.tips.map((t: { title: string }) => t.title)).toEqual([
      'Herniated Discs',
      'Piriformis Syndrome',
      'Muscle Imbalances',
      'Overuse or Repetitive Stress',
    ]);
    expect(causes.tips[0].body).toBe(
      'Intervertebral discs in the spine may bulge or herniate, exerting pressure on the sciatic nerve.',
    );
    expect(prevention.tips[0]).toMatchObject({
      position: 1,
      title: 'Warm-up and Stretching',
      body: 'Prioritize a thorough warm-up routine and include dynamic stretches for the lower back, hips, and legs to enhance flexibility and prevent muscle imbalances.',
      image: null,
    });
    expect(rehab.tips[4]).toMatchObject({
      position: 5,
      title: 'Proper Footwear and Equipment',
      body: 'Ensure you have appropriate running shoes that provide proper support and cushioning. Consider orthotic inserts if recommended by a healthcare professional.',
      image: { url: '/images/proper-footwear-for-runners.jpg', alt: 'Proper Footwear for Runners', caption: null },
    });
    for (const section of article.sections) {
      expect(section.tips.map((t: { position: number }) => t.position)).toEqual(
        section.tips.map((_: unknown, i: number) => i + 1),
      );
      for (const tip of section.tips) expect(tip.title.endsWith(':')).toBe(false);
    }
    const cushion = article.products.find((p: { slug: string }) => p.slug === 'memory-foam-seat-cushions');
    expect(cushion).toMatchObject({
      name: 'Memory Foam Seat Cushions',
      price: null,
      badges: ['Ships within 2 business days', 'Free shipping'],
      suitableFor: ['wheelchair', 'plane', 'recliner', 'couch', 'stadium seats'],
      placement: 'end',
      headline: 'Do you spend most of your daytime sitting in one place?',
    });
    expect(cushion.pitch).toMatch(/^Because of that, you can feel pain not only throughout the workday/);
    expect(article.products.find((p: { slug: string }) => p.slug === 'running-shoes')).toMatchObject({
      placement: 'inline',
      afterSection: 3,
    });
    expect(article.tags.map((t: { slug: string }) => t.slug)).toEqual(['sciatica', 'running', 'rehabilitation']);
    expect(article.commentCount).toBe(3);
  });

  it('answers a missing slug with a 404 problem', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/v1/articles/no-such-article' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({ status: 404, code: 'not_found', type: 'urn:quire:problem:not_found' });
  });

  it('answers a malformed slug with a 400 naming the parameter', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/v1/articles/Not_A_Slug' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ location: 'params', pointer: '/slug' })]);
  });

  it('hides drafts and not-yet-due articles exactly like missing ones', async () => {
    const { app, db, clock } = await createTestApp();
    await createArticle(db, { slug: 'a-draft', status: 'draft' });
    await createArticle(db, { slug: 'in-future', publishedAt: new Date(clock.now.getTime() + 60_000).toISOString() });
    const missing = await app.inject({ method: 'GET', url: '/v1/articles/never-existed' });
    for (const slug of ['a-draft', 'in-future']) {
      const res = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
      expect(res.statusCode).toBe(404);
      expect({ ...res.json(), detail: '', instance: '' }).toEqual({ ...missing.json(), detail: '', instance: '' });
      const comments = await app.inject({ method: 'GET', url: `/v1/articles/${slug}/comments` });
      expect(comments.statusCode).toBe(404);
    }
    const list = await app.inject({ method: 'GET', url: '/v1/articles' });
    expect(list.json().data).toEqual([]);
  });

  it('shows a scheduled article once the clock passes its publication time', async () => {
    const { app, db, clock } = await createTestApp();
    await createArticle(db, { slug: 'scheduled', publishedAt: new Date(clock.now.getTime() + 60_000).toISOString() });
    expect((await app.inject({ method: 'GET', url: '/v1/articles/scheduled' })).statusCode).toBe(404);
    clock.advance(60_000);
    expect((await app.inject({ method: 'GET', url: '/v1/articles/scheduled' })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/articles' })).json().data.map((a: { slug: string }) => a.slug),
    ).toEqual(['scheduled']);
  });

  it('answers an old slug of a moved article with a 301 to its new path', async () => {
    const { app, db } = await createTestApp();
    const { id } = await createArticle(db, { slug: 'new-home' });
    await db.withTransaction(async (tx) => {
      const { articleSlugRedirects } = tables;
      await tx
        .insert(articleSlugRedirects)
        .values({ slug: 'old-home', articleId: id, createdAt: '2026-01-01T00:00:00.000Z' });
    });
    const res = await app.inject({ method: 'GET', url: '/v1/articles/old-home' });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/v1/articles/new-home');
    expect(res.headers.etag).toBeUndefined();
  });

  it('assembles an article in a fixed number of statements, whatever its size', async () => {
    const statements: string[] = [];
    // Response cache off: this counts what assembling an article costs.
    const { app, db } = await createTestApp({
      traceSql: (sql) => statements.push(sql),
      config: { responseCacheBytes: 0 },
    });
    const product = await createProduct(db);
    const small = await createArticle(db, {
      sections: [{ heading: 'One', tips: [{ title: 't', body: 'b' }] }],
      products: [],
    });
    const bigSections = Array.from({ length: 12 }, (_, s) => ({
      heading: `S${s}`,
      tips: Array.from({ length: 9 }, (_, t) => ({ title: `T${t}`, body: 'b' })),
    }));
    const big = await createArticle(db, { sections: bigSections, products: [{ productId: product.id }] });
    const countFor = async (slug: string) => {
      await app.inject({ method: 'GET', url: `/v1/articles/${slug}` }); // warms the content-state cache
      statements.length = 0;
      const res = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
      expect(res.statusCode).toBe(200);
      return statements.length;
    };
    const smallCount = await countFor(small.slug);
    const bigCount = await countFor(big.slug);
    expect(bigCount).toBe(smallCount);
    // The content version (for the ETag), then one statement that builds the whole document.
    expect(bigCount).toBe(2);
  });
});

describe('GET /v1/articles', () => {
  it('pages newest first with ties broken by id, visiting every article exactly once', async () => {
    const { app, db } = await createTestApp();
    const times = [
      '2026-05-01T00:00:00.000Z',
      '2026-05-02T00:00:00.000Z',
      '2026-05-02T00:00:00.000Z',
      '2026-05-03T00:00:00.000Z',
    ];
    const created: { id: number; publishedAt: string }[] = [];
    for (let i = 0; i < 23; i += 1) {
      const publishedAt = times[i % times.length]!;
      const { id } = await createArticle(db, { publishedAt });
      created.push({ id, publishedAt });
    }
    await createArticle(db, { status: 'draft' });
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/articles?limit=5${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.meta.limit).toBe(5);
      seen.push(...body.data.map((a: { id: number }) => a.id));
      cursor = body.meta.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    const expected = [...created]
      .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || b.id - a.id)
      .map((a) => a.id);
    expect(seen).toEqual(expected);
    expect(pages).toBe(5);
  });

  it('filters by tag slug and returns summaries only', async () => {
    const { app, db } = await createTestApp();
    await createArticle(db, { slug: 'tagged', tags: ['running'] });
    await createArticle(db, { slug: 'untagged' });
    const res = await app.inject({ method: 'GET', url: '/v1/articles?tag=running' });
    expect(res.statusCode).toBe(200);
    const [item, ...rest] = res.json().data;
    expect(rest).toEqual([]);
    expect(Object.keys(item).sort()).toEqual([
      'commentCount',
      'id',
      'image',
      'publishedAt',
      'slug',
      'summary',
      'tags',
      'title',
    ]);
    expect(ArticleListSchema.parse(res.json())).toEqual(res.json());
    expect(item).toMatchObject({ slug: 'tagged', tags: [{ slug: 'running', name: 'RUNNING' }] });
  });

  it.each([
    ['limit=0', '/limit'],
    ['limit=101', '/limit'],
    ['limit=abc', '/limit'],
    ['cursor=not-a-cursor', '/cursor'],
    ['tag=Bad%20Tag', '/tag'],
    ['unknown=1', '/unknown'],
  ])('rejects %s with a 400 naming the field', async (query, pointer) => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: `/v1/articles?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json().errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ location: 'query', pointer })]),
    );
  });
});
