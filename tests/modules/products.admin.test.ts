import { describe, expect, it } from 'vitest';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createProduct } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { articleProducts, products } = tables;

async function editorApp() {
  const ctx = await createTestApp();
  return { ...ctx, headers: bearer(await createKeyFor(ctx.db, 'editor')) };
}

describe('/v1/admin/products', () => {
  it('creates, reads, changes and lists products; the public API shows each change at once', async () => {
    const { app, headers } = await editorApp();
    const created = await app.inject({
      method: 'POST',
      url: '/v1/admin/products',
      headers,
      payload: {
        name: 'Lumbar Pillow',
        price: { amount: 3450, currency: 'EUR' },
        badges: ['Free shipping'],
        suitableFor: ['car'],
        image: { url: '/images/pillow.jpg' },
      },
    });
    expect(created.statusCode).toBe(201);
    const product = created.json();
    expect(created.headers.location).toBe(`/v1/admin/products/${product.id}`);
    expect(product).toMatchObject({
      slug: 'lumbar-pillow',
      price: { amount: 3450, currency: 'EUR' },
      inStock: true,
      linkedArticles: [],
      image: { url: '/images/pillow.jpg', alt: null, caption: null },
    });

    const before = await app.inject({ method: 'GET', url: '/v1/products/lumbar-pillow' });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/products/${product.id}`,
      headers,
      payload: { price: null, inStock: false, summary: 'Soft' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      name: 'Lumbar Pillow',
      price: null,
      inStock: false,
      summary: 'Soft',
      badges: ['Free shipping'],
    });
    const after = await app.inject({
      method: 'GET',
      url: '/v1/products/lumbar-pillow',
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ price: null, inStock: false });

    const list = (await app.inject({ method: 'GET', url: '/v1/admin/products', headers })).json();
    expect(list.data.map((p: { id: number }) => p.id)).toEqual([product.id]);
    expect((await app.inject({ method: 'GET', url: `/v1/admin/products/${product.id}`, headers })).json().summary).toBe(
      'Soft',
    );
  });

  it('refuses a duplicate slug (409), mass assignment and bad prices (400)', async () => {
    const { app, db, headers } = await editorApp();
    await createProduct(db, { slug: 'taken' });
    expect(
      (await app.inject({ method: 'POST', url: '/v1/admin/products', headers, payload: { name: 'X', slug: 'taken' } }))
        .statusCode,
    ).toBe(409);
    const mass = await app.inject({
      method: 'POST',
      url: '/v1/admin/products',
      headers,
      payload: { name: 'X', id: 5, createdAt: '2020-01-01T00:00:00.000Z' },
    });
    expect(mass.statusCode).toBe(400);
    expect(
      mass
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(['/createdAt', '/id']);
    const price = await app.inject({
      method: 'POST',
      url: '/v1/admin/products',
      headers,
      payload: { name: 'X', price: { amount: 1.5, currency: 'euro' } },
    });
    expect(price.statusCode).toBe(400);
    expect(
      price
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(['/price/amount', '/price/currency']);
    expect(await db.read.select().from(products)).toHaveLength(1);
  });

  it('refuses to delete a product articles feature, naming them, unless forced', async () => {
    const { app, db, headers } = await editorApp();
    const product = await createProduct(db);
    const article = await createArticle(db, { slug: 'features-it', products: [{ productId: product.id }] });
    const etagBefore = (await app.inject({ method: 'GET', url: `/v1/admin/articles/${article.id}`, headers })).headers
      .etag;
    const refused = await app.inject({ method: 'DELETE', url: `/v1/admin/products/${product.id}`, headers });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('features-it');
    expect(await db.read.select().from(products)).toHaveLength(1);

    const forced = await app.inject({ method: 'DELETE', url: `/v1/admin/products/${product.id}?force=true`, headers });
    expect(forced.statusCode).toBe(204);
    expect(await db.read.select().from(products)).toHaveLength(0);
    expect(await db.read.select().from(articleProducts)).toHaveLength(0);
    expect((await app.inject({ method: 'GET', url: '/v1/articles/features-it' })).json().products).toEqual([]);
    // The article changed, so its admin ETag did too.
    expect(
      (await app.inject({ method: 'GET', url: `/v1/admin/articles/${article.id}`, headers })).headers.etag,
    ).not.toBe(etagBefore);
    expect((await app.inject({ method: 'DELETE', url: `/v1/admin/products/${product.id}`, headers })).statusCode).toBe(
      404,
    );
  });
});
