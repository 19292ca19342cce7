import { describe, expect, it } from 'vitest';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';

const { articles } = tables;

const PROBLEM = 'application/problem+json; charset=utf-8';

describe('problem details', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toEqual({
      type: 'urn:quire:problem:not_found',
      title: 'Not Found',
      status: 404,
      code: 'not_found',
      detail: 'No route matches GET /v1/nothing-here.',
      instance: '/v1/nothing-here?x=1',
    });
  });

  it('hides internals of an unexpected error behind a generic 500', async () => {
    const { app } = await createTestApp();
    app.get('/test/boom', async () => {
      throw new Error('secret connection string sqlite:///etc/passwd');
    });
    const res = await app.inject({ method: 'GET', url: '/test/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({ status: 500, code: 'internal', detail: 'An unexpected error occurred.' });
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('stack');
  });

  it('translates a UNIQUE violation into 409 and keeps what was stored', async () => {
    const { app, db } = await createTestApp();
    await createArticle(db, { slug: 'taken', title: 'Original' });
    app.post('/test/duplicate', async () =>
      db.withTransaction(async (tx) => {
        const stamp = new Date().toISOString();
        await tx.insert(articles).values({ slug: 'fresh', title: 'Fresh', createdAt: stamp, updatedAt: stamp });
        await tx.insert(articles).values({ slug: 'taken', title: 'Duplicate', createdAt: stamp, updatedAt: stamp });
      }),
    );
    const res = await app.inject({ method: 'POST', url: '/test/duplicate' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'conflict', type: 'urn:quire:problem:conflict' });
    expect(res.json().detail).toContain('articles.slug');
    const rows = await db.read.select({ slug: articles.slug, title: articles.title }).from(articles);
    expect(rows).toEqual([{ slug: 'taken', title: 'Original' }]);
  });

  it('rejects malformed JSON with 400 and an oversized body with 413', async () => {
    const { app } = await createTestApp({ config: { bodyLimit: 1024 } });
    app.post('/test/echo', async (request) => request.body);
    const malformed = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toBe(PROBLEM);
    expect(malformed.json().code).toBe('invalid_request');
    const big = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(2048) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ status: 413, code: 'payload_too_large' });
    const media = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().code).toBe('unsupported_media_type');
  });
});

describe('errors raised before routing', () => {
  it.each([
    ['/v1/articles/%E0%A4%A', 400],
    [`/v1/articles/${'a'.repeat(600)}`, 414],
  ])('renders %s as a %i problem', async (url, status) => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json().status).toBe(status);
  });
});

describe('health', () => {
  it('reports liveness and readiness', async () => {
    const { app } = await createTestApp();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok' });
  });

  it('reports not ready when the database is gone', async () => {
    const { app, db } = await createTestApp();
    db.close();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('not_ready');
  });
});
