import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp, TEST_ENGINE, tables } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';
import { rawBody, rawExchange, serveTestApp } from '../helpers/socket.js';

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

describe('every error is a problem document', () => {
  it('answers oversized headers with a 431 problem and malformed HTTP with a 400 problem, over a real socket', async () => {
    const { base } = await serveTestApp();
    const big = await rawExchange(base, `GET /v1/site HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(big).toContain(`Content-Type: ${PROBLEM}`);
    expect(rawBody(big)).toMatchObject({
      status: 431,
      code: 'headers_too_large',
      type: 'urn:quire:problem:headers_too_large',
    });
    const malformed = await rawExchange(base, 'GET /v1/site HTTP/1.1\r\nHost x\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(malformed).toContain(`Content-Type: ${PROBLEM}`);
    expect(rawBody(malformed)).toMatchObject({ status: 400, code: 'malformed_request' });
  });

  // On PostgreSQL this test does not finish yet (closing the per-test database during shutdown); see the closing note of issue 8.
  it.skipIf(TEST_ENGINE === 'postgres')(
    'answers a request arriving during shutdown with a 503 problem while in-flight requests finish',
    async () => {
      const { app } = await createTestApp();
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      let release!: () => void;
      const latch = new Promise<void>((resolve) => (release = resolve));
      app.get('/test/slow', async () => {
        entered();
        await latch;
        return { done: true };
      });
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const slow = fetch(`${base}/test/slow`);
      await inside;
      // A request whose headers are still arriving: its connection is busy, so closing keeps it open.
      const { hostname, port } = new URL(base);
      const late = connect(Number(port), hostname);
      await new Promise((resolve) => late.once('connect', resolve));
      late.write('GET /v1/site HTTP/1.1\r\nHost: x\r\n');
      let received = '';
      late.on('data', (chunk) => (received += chunk));
      const lateClosed = new Promise((resolve) => late.once('close', resolve));

      const closed = app.close();
      while (app.server.listening) await new Promise((resolve) => setImmediate(resolve));
      late.write('\r\n');
      await lateClosed;
      expect(received).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(received.toLowerCase()).toContain(`content-type: ${PROBLEM}`);
      expect(received.toLowerCase()).toContain('retry-after: 1');
      expect(rawBody(received)).toMatchObject({ status: 503, code: 'shutting_down' });

      release();
      const finished = await slow;
      expect(finished.status).toBe(200);
      expect(finished.headers.get('connection')).toBe('close');
      expect(await finished.json()).toEqual({ done: true });
      await closed;
    },
  );

  it('answers OPTIONS without preflight headers with a 400 problem; a real preflight still gets 204', async () => {
    const { app } = await createTestApp();
    const plain = await app.inject({ method: 'OPTIONS', url: '/v1/site' });
    expect(plain.statusCode).toBe(400);
    expect(plain.headers['content-type']).toBe(PROBLEM);
    expect(plain.json()).toMatchObject({ code: 'invalid_preflight' });
    const originOnly = await app.inject({
      method: 'OPTIONS',
      url: '/v1/site',
      headers: { origin: 'https://a.example' },
    });
    expect(originOnly.json()).toMatchObject({ status: 400, code: 'invalid_preflight' });
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/site',
      headers: { origin: 'https://a.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers a method a path does not serve with 405 and Allow, and an unknown path with 404', async () => {
    const { app } = await createTestApp();
    const cases = [
      ['DELETE', '/v1/site', 'GET, HEAD'],
      ['PUT', '/v1/articles/some-slug', 'GET, HEAD'],
      ['GET', '/v1/admin/articles/5/publish', 'POST'],
      ['POST', '/v1/admin/keys/12', 'DELETE, GET, HEAD'],
      ['PATCH', '/v1/articles/some-slug/comments/', 'GET, HEAD, POST'],
    ] as const;
    for (const [method, url, allow] of cases) {
      const res = await app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow, `${method} ${url}`).toBe(allow);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.json()).toMatchObject({ status: 405, code: 'method_not_allowed', title: 'Method Not Allowed' });
    }
    expect((await app.inject({ method: 'DELETE', url: '/v1/nothing' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/site/extra' })).statusCode).toBe(404);
  });

  it('titles and codes a plugin client error by its status (a refused static path is 403 Forbidden)', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/docs/static/index.html%00' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({ status: 403, title: 'Forbidden', code: 'forbidden' });
  });
});
