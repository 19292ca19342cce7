import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createArticle, createProduct } from '../helpers/factories.js';

describe('GET /v1/products and /v1/products/{slug}', () => {
  it('serves a product with only the published, due articles that feature it', async () => {
    const { app, db, clock } = await createTestApp();
    const product = await createProduct(db, {
      slug: 'cushion',
      name: 'Cushion',
      priceAmount: 2999,
      priceCurrency: 'EUR',
      badges: ['Free shipping'],
    });
    await createArticle(db, { slug: 'live', products: [{ productId: product.id }] });
    await createArticle(db, { slug: 'draft', status: 'draft', products: [{ productId: product.id }] });
    await createArticle(db, {
      slug: 'later',
      publishedAt: new Date(clock.now.getTime() + 3_600_000).toISOString(),
      products: [{ productId: product.id }],
    });

    const res = await app.inject({ method: 'GET', url: '/v1/products/cushion' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      slug: 'cushion',
      name: 'Cushion',
      price: { amount: 2999, currency: 'EUR' },
      badges: ['Free shipping'],
      inStock: true,
      articles: [{ slug: 'live' }],
    });
    expect(res.headers['surrogate-key']).toContain(`product-${product.id}`);
    const list = (await app.inject({ method: 'GET', url: '/v1/products' })).json();
    expect(list.data[0].articles.map((a: { slug: string }) => a.slug)).toEqual(['live']);

    clock.advance(3_600_000);
    const later = (await app.inject({ method: 'GET', url: '/v1/products/cushion' })).json();
    expect(later.articles.map((a: { slug: string }) => a.slug)).toEqual(['later', 'live']);
  });

  it('lists products by name with keyset pages', async () => {
    const { app, db } = await createTestApp();
    for (const name of ['Delta', 'alpha', 'Charlie', 'Bravo', 'Echo']) await createProduct(db, { name });
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await app.inject({ method: 'GET', url })).json();
      names.push(...body.data.map((p: { name: string }) => p.name));
      cursor = body.meta.nextCursor;
    } while (cursor);
    expect(names).toEqual(['Bravo', 'Charlie', 'Delta', 'Echo', 'alpha']);
  });

  it('answers 404 for a missing product and 400 for a malformed slug or query', async () => {
    const { app } = await createTestApp();
    expect((await app.inject({ method: 'GET', url: '/v1/products/none' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/products/NOPE!' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/products?limit=-1' })).statusCode).toBe(400);
  });
});
