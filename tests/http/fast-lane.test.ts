import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';
import { rawBody, rawExchange } from '../helpers/socket.js';

// The fast lane sits in front of Fastify's router, so only a real socket exercises it.

async function serve(options: Parameters<typeof createTestApp>[0] = {}) {
  const ctx = await createTestApp(options);
  const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...ctx, base: address };
}

const comparable = (headers: Headers) => {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive'].includes(name)) out[name] = value;
  });
  return out;
};

/** The app's log lines, parsed, as they are written. */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

const completed = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => line.msg === 'request completed') as {
    level: number;
    reqId: string;
    req?: { method: string; url: string; remoteAddress: string };
    res: { statusCode: number };
    responseTime: number;
  }[];

describe('fast lane', () => {
  it('answers a cached representation with the same status, headers and bytes as the route', async () => {
    const { base, db } = await serve({ config: { responseCacheBytes: 1024 * 1024 } });
    await createArticle(db, { slug: 'fast' });
    for (const path of ['/v1/articles/fast', '/v1/articles', '/v1/articles/fast/comments?limit=5']) {
      const first = await fetch(`${base}${path}`); // through Fastify: assembles and caches
      const second = await fetch(`${base}${path}`); // from the fast lane
      expect(second.status).toBe(200);
      expect(comparable(second.headers)).toEqual(comparable(first.headers));
      expect(await second.text()).toBe(await first.text());
    }
  });

  it('answers If-None-Match with the same 304 as the route, and only for representations served before', async () => {
    const { base, db } = await serve({ config: { responseCacheBytes: 0 } });
    await createArticle(db, { slug: 'fast' });
    const first = await fetch(`${base}/v1/articles/fast`);
    const etag = first.headers.get('etag')!;
    const viaRoute = await fetch(`${base}/v1/articles/fast?format=markdown`, { headers: { 'if-none-match': 'nope' } });
    expect(viaRoute.status).toBe(200);
    const fast = await fetch(`${base}/v1/articles/fast`, { headers: { 'if-none-match': etag } });
    expect(fast.status).toBe(304);
    expect(fast.headers.get('etag')).toBe(etag);
    expect(fast.headers.get('access-control-allow-origin')).toBe('*');
    const missing = await fetch(`${base}/v1/articles/missing`, { headers: { 'if-none-match': etag } });
    expect(missing.status).toBe(404);
  });

  it('never serves bytes older than the latest write', async () => {
    const { base, db } = await serve({ config: { responseCacheBytes: 1024 * 1024 } });
    const headers = bearer(await createKeyFor(db, 'editor'));
    const { id } = await createArticle(db, { slug: 'fast', title: 'Before' });
    await fetch(`${base}/v1/articles/fast`);
    expect(((await (await fetch(`${base}/v1/articles/fast`)).json()) as { title: string }).title).toBe('Before');
    const patched = await fetch(`${base}/v1/admin/articles/${id}`, {
      method: 'PATCH',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'After' }),
    });
    expect(patched.status).toBe(200);
    expect(((await (await fetch(`${base}/v1/articles/fast`)).json()) as { title: string }).title).toBe('After');
  });

  it('keeps the configured request timeout and Fastify keep-alive on its server', async () => {
    const { app } = await serve({ config: { requestTimeoutMs: 1234 } });
    expect(app.server.requestTimeout).toBe(1234);
    expect(app.server.keepAliveTimeout).toBe(72_000);
  });

  it('answers a body that stalls past REQUEST_TIMEOUT_MS with a 408 problem and closes the connection', async () => {
    const { base, db } = await serve({ config: { requestTimeoutMs: 300 } });
    const { slug } = await createArticle(db);
    // Headers complete, body promised but never finished: the connection stays open until the timeout.
    const received = await rawExchange(
      base,
      `POST /v1/articles/${slug}/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"body":`,
    );
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(received).toContain('Content-Type: application/problem+json; charset=utf-8');
    expect(rawBody(received)).toMatchObject({ status: 408, code: 'request_timeout' });
  });

  it('leaves HEAD, admin and unknown requests to Fastify', async () => {
    const { base, db } = await serve({ config: { responseCacheBytes: 1024 * 1024 } });
    await createArticle(db, { slug: 'fast' });
    await fetch(`${base}/v1/articles/fast`);
    expect((await fetch(`${base}/v1/articles/fast`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${base}/v1/admin/articles`)).status).toBe(401);
    expect((await fetch(`${base}/v1/nothing`)).status).toBe(404);
  });

  it('logs each answer it writes at info like Fastify logs a request: reqId, method, url, status, responseTime', async () => {
    const log = captureLog();
    const { base, db } = await serve({
      config: { logLevel: 'info', logFastLaneSample: 1, responseCacheBytes: 1024 * 1024 },
      logStream: log.stream,
    });
    await createArticle(db, { slug: 'fast' });
    const first = await fetch(`${base}/v1/articles/fast`); // built by the route: Fastify logs it
    await first.text();
    const countBefore = completed(log.lines).length;
    await (await fetch(`${base}/v1/articles/fast`)).text(); // a cache hit
    await fetch(`${base}/v1/articles/fast`, { headers: { 'if-none-match': first.headers.get('etag')! } }); // a 304

    const lines = completed(log.lines);
    expect(lines.slice(countBefore).map((line) => line.res.statusCode)).toEqual([200, 304]);
    for (const line of lines.slice(countBefore)) {
      expect(line).toMatchObject({
        level: 30,
        req: { method: 'GET', url: '/v1/articles/fast', remoteAddress: '127.0.0.1' },
      });
      expect(line.responseTime).toBeGreaterThan(0);
    }
    // One id sequence for both lanes, in Fastify's format.
    const ids = lines.map((line) => line.reqId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^req-[0-9a-z]+$/);
  });

  it('logs a share of its answers with LOG_FAST_LANE_SAMPLE, and still counts them all', async () => {
    const log = captureLog();
    const token = 'metrics-token-for-tests';
    const { base, db } = await serve({
      config: { logLevel: 'info', logFastLaneSample: 0, metricsToken: token },
      logStream: log.stream,
    });
    await createArticle(db, { slug: 'fast' });
    for (let i = 0; i < 3; i += 1) await (await fetch(`${base}/v1/articles/fast`)).text();
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(await metrics.text()).toContain('quire_fast_lane_answers_total{status="200"} 2');
    // Only the route's own answers are logged: the first read and the scrape.
    expect(completed(log.lines).map((line) => line.res.statusCode)).toEqual([200, 200]);
    expect(completed(log.lines).every((line) => line.req === undefined)).toBe(true);
  });
});
