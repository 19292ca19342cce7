import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createSite } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

async function setup() {
  const ctx = await createTestApp();
  const editor = bearer(await createKeyFor(ctx.db, 'editor'));
  return { ...ctx, editor };
}

describe('/v1/admin/site', () => {
  it('creates the site on a database started without seeds, and /v1/site serves it at once', async () => {
    const { app, editor } = await setup();
    expect((await app.inject({ method: 'GET', url: '/v1/site' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/admin/site', headers: editor })).statusCode).toBe(404);

    const created = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: editor,
      payload: { name: 'Posture Shop', url: 'https://shop.example' },
    });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({
      name: 'Posture Shop',
      description: null,
      url: 'https://shop.example',
      announcement: null,
    });
    expect(created.headers.etag).toMatch(/^"site-[\w-]+"$/);

    const pub = await app.inject({ method: 'GET', url: '/v1/site' });
    expect(pub.statusCode).toBe(200);
    expect(pub.json().name).toBe('Posture Shop');
  });

  it('refuses to create a site without a name (422), and never accepts a null name (400)', async () => {
    const { app, editor } = await setup();
    const nameless = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: editor,
      payload: { announcement: 'Hi' },
    });
    expect(nameless.statusCode).toBe(422);
    expect(nameless.json().errors[0].pointer).toBe('/name');
    const nullName = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: editor,
      payload: { name: null },
    });
    expect(nullName.statusCode).toBe(400);
    const unknown = await app.inject({ method: 'PATCH', url: '/v1/admin/site', headers: editor, payload: { id: 2 } });
    expect(unknown.statusCode).toBe(400);
  });

  it('answers 412 to any If-Match, even "*", while the site does not exist', async () => {
    const { app, editor } = await setup();
    const res = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: { ...editor, 'if-match': '*' },
      payload: { name: 'Shop' },
    });
    expect(res.statusCode).toBe(412);
    expect((await app.inject({ method: 'GET', url: '/v1/site' })).statusCode).toBe(404);
  });

  it('merges: absent is unchanged, null clears', async () => {
    const { app, db, editor } = await setup();
    await createSite(db);
    const res = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: editor,
      payload: { description: 'Posture and running', announcement: null },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      name: 'Test site',
      description: 'Posture and running',
      url: null,
      announcement: null,
    });
    const read = await app.inject({ method: 'GET', url: '/v1/admin/site', headers: editor });
    expect(read.json()).toEqual(res.json());
    expect(read.headers.etag).toBe(res.headers.etag);
  });

  it('answers 412 to a stale If-Match and changes nothing; the fresh ETag works', async () => {
    const { app, db, editor } = await setup();
    await createSite(db);
    const first = await app.inject({ method: 'GET', url: '/v1/admin/site', headers: editor });
    const etag = first.headers.etag as string;
    const moved = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: { ...editor, 'if-match': etag },
      payload: { announcement: 'Ships within 2 business days' },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.headers.etag).not.toBe(etag);

    const stale = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: { ...editor, 'if-match': etag },
      payload: { announcement: 'Overwritten' },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('precondition_failed');
    const now = await app.inject({ method: 'GET', url: '/v1/admin/site', headers: editor });
    expect(now.json().announcement).toBe('Ships within 2 business days');
  });

  it('moves the public ETag of /v1/site and serves the new body at once, response cache on', async () => {
    const { app, db, editor } = await setup();
    await createSite(db);
    const before = await app.inject({ method: 'GET', url: '/v1/site' });
    await app.inject({ method: 'GET', url: '/v1/site' }); // now cached
    await app.inject({ method: 'PATCH', url: '/v1/admin/site', headers: editor, payload: { name: 'Renamed' } });
    const after = await app.inject({
      method: 'GET',
      url: '/v1/site',
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.json().name).toBe('Renamed');
  });

  it('is refused to moderators', async () => {
    const { app, db } = await setup();
    const moderator = bearer(await createKeyFor(db, 'moderator'));
    const res = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/site',
      headers: moderator,
      payload: { name: 'X' },
    });
    expect(res.statusCode).toBe(403);
  });
});
