import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createClock, createTestApp, tables } from '../helpers/app.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { apiKeys } = tables;

const PROBLEM = 'application/problem+json; charset=utf-8';
const UNKNOWN_KEY = `quire_${'A'.repeat(43)}`;

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe(PROBLEM);
  expect(res.json()).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:quire:problem:/),
    code: expect.any(String),
    detail: expect.any(String),
  });
  return res.json();
}

function expectUnauthorized(res: LightMyRequestResponse) {
  expectProblem(res, 401);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
}

/** One request to each key route, with the given headers. */
function everyKeyRoute(headers: Record<string, string>, targetId = 1) {
  return [
    { method: 'GET' as const, url: '/v1/admin/keys', headers },
    { method: 'POST' as const, url: '/v1/admin/keys', headers, payload: { name: 'Intruder', role: 'admin' } },
    { method: 'DELETE' as const, url: `/v1/admin/keys/${targetId}`, headers },
  ];
}

describe('authentication of /v1/admin/keys', () => {
  it('answers 401 with WWW-Authenticate when no key is sent', async () => {
    const { app } = await createTestApp();
    for (const request of everyKeyRoute({})) expectUnauthorized(await app.inject(request));
    const head = await app.inject({ method: 'HEAD', url: '/v1/admin/keys' });
    expect(head.statusCode).toBe(401);
  });

  it('answers 401 to a malformed Authorization header', async () => {
    const { app, db } = await createTestApp();
    const key = await createKeyFor(db, 'admin');
    for (const authorization of ['Basic x', 'Bearer', 'Bearer short', `Basic ${key}`, `Bearer ${key} extra`, key]) {
      expectUnauthorized(await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: { authorization } }));
    }
  });

  it('answers 401 to a well-formed key nobody issued', async () => {
    const { app } = await createTestApp();
    expectUnauthorized(await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(UNKNOWN_KEY) }));
  });

  it('refuses a revoked key from the very next request', async () => {
    const { app, db } = await createTestApp();
    const admin = await createKeyFor(db, 'admin', 'Ops');
    const other = await createKeyFor(db, 'admin', 'Leaving');
    expect((await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(other) })).statusCode).toBe(200);

    expect((await app.inject({ method: 'DELETE', url: '/v1/admin/keys/2', headers: bearer(admin) })).statusCode).toBe(
      204,
    );
    expectUnauthorized(await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(other) }));

    // A key may revoke itself; the request that does it is the last one it makes.
    expect((await app.inject({ method: 'DELETE', url: '/v1/admin/keys/1', headers: bearer(admin) })).statusCode).toBe(
      204,
    );
    expectUnauthorized(await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(admin) }));
  });

  it('answers 403 to editor and moderator keys on every key route, and changes nothing', async () => {
    const { app, db } = await createTestApp();
    await createKeyFor(db, 'admin');
    for (const role of ['editor', 'moderator'] as const) {
      const key = await createKeyFor(db, role);
      for (const request of everyKeyRoute(bearer(key))) {
        const body = expectProblem(await app.inject(request), 403);
        expect(body.code).toBe('forbidden');
      }
    }
    const rows = await db.read.select().from(apiKeys);
    expect(rows.map((r) => [r.name, r.revokedAt])).toEqual([
      ['admin key', null],
      ['editor key', null],
      ['moderator key', null],
    ]);
  });
});

describe('managing keys as an admin', () => {
  it('creates a key, shows it once, and lists keys newest first without key or hash', async () => {
    const { app, db, clock } = await createTestApp();
    const admin = await createKeyFor(db, 'admin', 'Ops');

    const created = await app.inject({
      method: 'POST',
      url: '/v1/admin/keys',
      headers: bearer(admin),
      payload: { name: '  Newsletter builder ', role: 'editor' },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(created.headers.location).toBe(`/v1/admin/keys/${body.id}`);
    expect(body).toEqual({
      id: 2,
      name: 'Newsletter builder',
      role: 'editor',
      prefix: body.key.slice(0, 12),
      createdAt: clock.now.toISOString(),
      lastUsedAt: null,
      revokedAt: null,
      key: expect.stringMatching(/^quire_[A-Za-z0-9_-]{43}$/),
    });

    const list = await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(admin) });
    expect(list.statusCode).toBe(200);
    const page = list.json();
    expect(page.meta).toEqual({ limit: 2, nextCursor: null });
    expect(page.data.map((k: { name: string }) => k.name)).toEqual(['Newsletter builder', 'Ops']);
    for (const item of page.data)
      expect(Object.keys(item).sort()).toEqual([
        'createdAt',
        'id',
        'lastUsedAt',
        'name',
        'prefix',
        'revokedAt',
        'role',
      ]);
    expect(list.body).not.toContain(body.key);

    // The new key works, with its own role.
    const asEditor = await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(body.key) });
    expectProblem(asEditor, 403);
  });

  it('revokes a key (204), keeps it listed as revoked, and answers 404 to a second revoke or an unknown id', async () => {
    const { app, db, clock } = await createTestApp();
    const admin = await createKeyFor(db, 'admin');
    await createKeyFor(db, 'moderator', 'Temp');

    const revoked = await app.inject({ method: 'DELETE', url: '/v1/admin/keys/2', headers: bearer(admin) });
    expect(revoked.statusCode).toBe(204);
    expect(revoked.body).toBe('');
    const listed = (await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(admin) })).json();
    expect(listed.data[0]).toMatchObject({ id: 2, name: 'Temp', revokedAt: clock.now.toISOString() });

    clock.advance(1000);
    const again = expectProblem(
      await app.inject({ method: 'DELETE', url: '/v1/admin/keys/2', headers: bearer(admin) }),
      404,
    );
    expect(again.detail).toContain('already revoked');
    const stored = await db.read.select().from(apiKeys);
    expect(stored.find((r) => r.id === 2)?.revokedAt).toBe(listed.data[0].revokedAt);

    expectProblem(await app.inject({ method: 'DELETE', url: '/v1/admin/keys/99', headers: bearer(admin) }), 404);
    expectProblem(await app.inject({ method: 'DELETE', url: '/v1/admin/keys/abc', headers: bearer(admin) }), 400);
  });

  it('stores only the SHA-256 hash of a key, never the key', async () => {
    const { app, db } = await createTestApp();
    const admin = await createKeyFor(db, 'admin');
    const { key } = (
      await app.inject({
        method: 'POST',
        url: '/v1/admin/keys',
        headers: bearer(admin),
        payload: { name: 'Partner', role: 'editor' },
      })
    ).json();

    const rows = await app.db.read.select().from(apiKeys);
    const row = rows.find((r) => r.name === 'Partner');
    expect(row?.hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(row?.prefix).toBe(key.slice(0, 12));
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain(admin);
  });

  it('sets lastUsedAt on first use and rewrites it at most once a minute', async () => {
    const clock = createClock();
    const { app, db } = await createTestApp({ clock });
    const admin = await createKeyFor(db, 'admin');
    const lastUsed = async () => (await db.read.select().from(apiKeys)).find((r) => r.id === 1)?.lastUsedAt;
    const use = () => app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(admin) });
    expect(await lastUsed()).toBeNull();

    const first = clock.now.toISOString();
    await use();
    expect(await lastUsed()).toBe(first);

    clock.advance(30_000);
    await use();
    expect(await lastUsed()).toBe(first);

    clock.advance(31_000);
    await use();
    expect(await lastUsed()).toBe(clock.now.toISOString());
  });

  it('answers 400 with errors naming the field for a bad role, an unknown field, or a bad name', async () => {
    const { app, db } = await createTestApp();
    const admin = await createKeyFor(db, 'admin');
    const cases: [unknown, string][] = [
      [{ name: 'X', role: 'root' }, '/role'],
      [{ name: 'X', role: 'editor', hash: 'abc' }, '/hash'],
      [{ name: '   ', role: 'editor' }, '/name'],
      [{ name: 'x'.repeat(101), role: 'editor' }, '/name'],
      [{ role: 'editor' }, '/name'],
    ];
    for (const [payload, pointer] of cases) {
      const body = expectProblem(
        await app.inject({ method: 'POST', url: '/v1/admin/keys', headers: bearer(admin), payload: payload as object }),
        400,
      );
      expect(body.errors, JSON.stringify(payload)).toContainEqual(
        expect.objectContaining({ location: 'body', pointer }),
      );
    }
    expect(await db.read.select().from(apiKeys)).toHaveLength(1);
  });

  it('documents the key operations as admin-only in the OpenAPI document', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode, res.body).toBe(200);
    const doc = res.json();
    const operations = [
      doc.paths['/v1/admin/keys'].get,
      doc.paths['/v1/admin/keys'].post,
      doc.paths['/v1/admin/keys/{id}'].delete,
    ];
    expect(operations.map((op) => op.operationId)).toEqual(['listApiKeys', 'createApiKey', 'revokeApiKey']);
    for (const op of operations) {
      expect(op).toMatchObject({ tags: ['admin-keys'], security: [{ bearerAuth: [] }], 'x-required-roles': ['admin'] });
      expect(op.responses['401'].content['application/problem+json']).toBeDefined();
      expect(op.responses['403'].content['application/problem+json']).toBeDefined();
    }
    expect(doc.components.schemas).toHaveProperty('ApiKey');
    expect(doc.components.schemas).toHaveProperty('CreatedApiKey');
  });
});
