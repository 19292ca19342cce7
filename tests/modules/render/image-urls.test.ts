import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config.js';
import { createTestApp } from '../../helpers/app.js';
import { publishViaApi } from '../../helpers/editorial.js';
import { bearer, createKeyFor } from '../../helpers/keys.js';

const ARTICLE = {
  title: 'Images',
  intro: 'Look: ![stretch](/images/stretch.jpg)',
  image: { url: '/images/hero.jpg', alt: 'Hero' },
  seo: { ogImage: '/images/og.jpg' },
  sections: [
    {
      heading: 'One',
      tips: [
        { title: 'Relative', body: 'x', image: { url: '/images/tip.jpg', alt: null } },
        { title: 'Absolute', body: 'y', image: { url: 'https://cdn.example/tip.jpg', alt: null } },
      ],
    },
  ],
};

async function setup(config: Partial<Config> = {}) {
  const { app, db } = await createTestApp({ config });
  const { id, slug, editor } = await publishViaApi(app, db, ARTICLE);
  const product = await app.inject({
    method: 'POST',
    url: '/v1/admin/products',
    headers: editor,
    payload: { name: 'Cushion', image: { url: 'images/cushion.jpg', alt: 'Cushion' } },
  });
  const productId = product.json().id as number;
  await app.inject({
    method: 'PUT',
    url: `/v1/admin/articles/${id}/products`,
    headers: editor,
    payload: { products: [{ productId, placement: 'end' }] },
  });
  return { app, db, slug, editor };
}

describe('image URLs in public documents', () => {
  it('are made absolute under PUBLIC_URL; absolute URLs are left alone', async () => {
    const { app, slug } = await setup({ publicUrl: 'https://api.example' });
    const article = (await app.inject({ method: 'GET', url: `/v1/articles/${slug}?format=html` })).json();
    expect(article.image.url).toBe('https://api.example/images/hero.jpg');
    expect(article.seo.ogImage).toBe('https://api.example/images/og.jpg');
    expect(article.sections[0].tips.map((t: { image: { url: string } }) => t.image.url)).toEqual([
      'https://api.example/images/tip.jpg',
      'https://cdn.example/tip.jpg',
    ]);
    expect(article.products[0].image.url).toBe('https://api.example/images/cushion.jpg');
    expect(article.introHtml).toContain('<img src="https://api.example/images/stretch.jpg" alt="stretch" />');
    // The Markdown itself is as stored.
    expect(article.intro).toBe(ARTICLE.intro);

    const list = (await app.inject({ method: 'GET', url: '/v1/articles' })).json();
    expect(list.data[0].image.url).toBe('https://api.example/images/hero.jpg');
    const products = (await app.inject({ method: 'GET', url: '/v1/products' })).json();
    expect(products.data[0].image.url).toBe('https://api.example/images/cushion.jpg');
    const product = (await app.inject({ method: 'GET', url: `/v1/products/${products.data[0].slug}` })).json();
    expect(product.image.url).toBe('https://api.example/images/cushion.jpg');
  });

  it("fall back to the site's url, and follow it when an editor changes it", async () => {
    const { app, slug, editor } = await setup();
    await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: editor,
      payload: { name: 'Shop', url: 'https://shop.example/' },
    });
    const first = (await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).json();
    expect(first.image.url).toBe('https://shop.example/images/hero.jpg');
    await app.inject({ method: 'PATCH', url: '/v1/admin/site', headers: editor, payload: { url: null } });
    const second = (await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).json();
    expect(second.image.url).toBe('/images/hero.jpg');
  });

  it('stay exactly as stored, byte for byte, with neither PUBLIC_URL nor a site url', async () => {
    const { app, db, slug } = await setup();
    const key = bearer(await createKeyFor(db, 'admin', 'reader'));
    const body = (await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).body;
    expect(JSON.parse(body).image.url).toBe('/images/hero.jpg');
    expect(body).toContain('"url":"/images/tip.jpg"');
    expect(body).not.toContain('Html');
    const admin = await app.inject({ method: 'GET', url: '/v1/admin/products', headers: key });
    expect(admin.json().data[0].image.url).toBe('images/cushion.jpg');
  });
});
