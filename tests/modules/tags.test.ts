import { describe, expect, it } from 'vitest';
import { TagListSchema } from '../../src/modules/tags/tags.schemas.js';
import { createTestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';

async function world() {
  const ctx = await createTestApp();
  await createArticle(ctx.db, { tags: ['knee', 'hip'] });
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
