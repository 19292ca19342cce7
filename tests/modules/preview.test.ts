import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

async function setup() {
  const ctx = await createTestApp({ config: { previewTtlSeconds: 600 } });
  const editor = bearer(await createKeyFor(ctx.db, 'editor'));
  const draft = await createArticle(ctx.db, { slug: 'draft-one', status: 'draft', publishedAt: null });
  const link = async (id = draft.id) =>
    (await ctx.app.inject({ method: 'POST', url: `/v1/admin/articles/${id}/preview`, headers: editor })).json() as {
      token: string;
      url: string;
      expiresAt: string;
    };
  return { ...ctx, editor, draft, link };
}

describe('preview links', () => {
  it('open the current draft in the public shape, by header or ?token=, never cached and without an ETag', async () => {
    const { app, clock, draft, link } = await setup();
    const { token, url, expiresAt } = await link();
    expect(expiresAt).toBe(new Date(clock.now.getTime() + 600_000).toISOString());
    expect(url).toBe(`/v1/preview/articles/${draft.id}?token=${token}`);

    const byHeader = await app.inject({
      method: 'GET',
      url: `/v1/preview/articles/${draft.id}`,
      headers: { authorization: `Preview ${token}` },
    });
    expect(byHeader.statusCode).toBe(200);
    expect(byHeader.headers['cache-control']).toBe('private, no-store');
    expect(byHeader.headers.etag).toBeUndefined();
    expect(byHeader.json()).toMatchObject({ id: draft.id, slug: 'draft-one', publishedAt: null });
    expect(byHeader.json().sections.length).toBeGreaterThan(0);

    const byQuery = await app.inject({ method: 'GET', url });
    expect(byQuery.statusCode).toBe(200);
    expect(byQuery.body).toBe(byHeader.body);
    // The public API still does not know the draft.
    expect((await app.inject({ method: 'GET', url: '/v1/articles/draft-one' })).statusCode).toBe(404);
  });

  it('show edits at once', async () => {
    const { app, editor, draft, link } = await setup();
    const { url } = await link();
    const admin = await app.inject({ method: 'GET', url: `/v1/admin/articles/${draft.id}`, headers: editor });
    await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${draft.id}`,
      headers: { ...editor, 'if-match': admin.headers.etag as string },
      payload: { title: 'Retitled draft' },
    });
    expect((await app.inject({ method: 'GET', url })).json().title).toBe('Retitled draft');
  });

  it('refuse a missing, forged, expired, revoked or other-article token with 401 and a Preview challenge', async () => {
    const { app, clock, editor, draft, link } = await setup();
    const other = await createArticle(app.db, { slug: 'other-draft', status: 'draft', publishedAt: null });
    const { token } = await link();
    const expect401 = async (url: string, headers: Record<string, string> = {}) => {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Preview realm="quire"');
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['cache-control']).toBe('no-store');
    };
    await expect401(`/v1/preview/articles/${draft.id}`);
    await expect401(`/v1/preview/articles/${draft.id}?token=${token.slice(0, -2)}xx`);
    await expect401(`/v1/preview/articles/${other.id}?token=${token}`);

    clock.advance(601_000);
    await expect401(`/v1/preview/articles/${draft.id}?token=${token}`);

    const fresh = await link();
    expect((await app.inject({ method: 'GET', url: fresh.url })).statusCode).toBe(200);
    const revoke = await app.inject({
      method: 'DELETE',
      url: `/v1/admin/articles/${draft.id}/preview`,
      headers: editor,
    });
    expect(revoke.statusCode).toBe(204);
    await expect401(fresh.url);
    expect((await app.inject({ method: 'GET', url: (await link()).url })).statusCode).toBe(200);
  });

  it('answer 404 once the article is deleted, and need an editor key to be made', async () => {
    const { app, db, editor, draft, link } = await setup();
    const { url } = await link();
    expect(
      (await app.inject({ method: 'DELETE', url: `/v1/admin/articles/${draft.id}`, headers: editor })).statusCode,
    ).toBe(204);
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    const moderator = bearer(await createKeyFor(db, 'moderator'));
    const refused = await app.inject({ method: 'POST', url: '/v1/admin/articles/1/preview', headers: moderator });
    expect(refused.statusCode).toBe(403);
    const missing = await app.inject({ method: 'POST', url: '/v1/admin/articles/999/preview', headers: editor });
    expect(missing.statusCode).toBe(404);
  });
});
