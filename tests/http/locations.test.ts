import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

describe('Location after a create', () => {
  it('names a URL that answers GET with 200 for keys, products, articles, sections and tips', async () => {
    const { app, db } = await createTestApp();
    const headers = bearer(await createKeyFor(db, 'admin'));
    const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers, payload });

    const key = await post('/v1/admin/keys', { name: 'Builder', role: 'editor' });
    const product = await post('/v1/admin/products', { name: 'Shoe' });
    const article = await post('/v1/admin/articles', { title: 'Located', sections: [{ heading: 'One' }] });
    const articleId = article.json().id;
    const section = await post(`/v1/admin/articles/${articleId}/sections`, { heading: 'Two' });
    const sectionId = section.json().sections[1].id;
    const tip = await post(`/v1/admin/sections/${sectionId}/tips`, { title: 'T', body: 'B' });

    for (const [name, created] of Object.entries({ key, product, article, section, tip })) {
      expect(created.statusCode, name).toBe(201);
      const location = created.headers.location as string;
      expect(location, name).toMatch(/^\/v1\/admin\//);
      const followed = await app.inject({ method: 'GET', url: location, headers });
      expect(followed.statusCode, `${name}: GET ${location}`).toBe(200);
      expect(followed.json().id, name).toBe(name === 'section' || name === 'tip' ? articleId : created.json().id);
    }
    // The key is shown once: following its Location never reveals the secret.
    expect(
      (await app.inject({ method: 'GET', url: key.headers.location as string, headers })).json(),
    ).not.toHaveProperty('key');
    // A section or tip is answered by its article: the same body and ETag as the create's response.
    const holder = await app.inject({ method: 'GET', url: tip.headers.location as string, headers });
    expect(holder.headers.etag).toBe(tip.headers.etag);
    expect(holder.json()).toEqual(tip.json());
  });
});
