import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';

const TOKEN = 'metrics-token-for-tests';

describe('GET /metrics', () => {
  it('does not exist without METRICS_TOKEN', async () => {
    const { app } = await createTestApp();
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });

  it('refuses a request without the token with 401, and counts requests by route and status with it', async () => {
    const { app, db } = await createTestApp({ config: { metricsToken: TOKEN } });
    const { slug } = await createArticle(db);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } })).statusCode,
    ).toBe(401);
    await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    await app.inject({ method: 'GET', url: '/v1/articles/missing' });
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('quire_http_requests_total{route="/v1/articles/:slug",method="GET",status="200"} 1');
    expect(res.body).toContain('quire_http_requests_total{route="/v1/articles/:slug",method="GET",status="404"} 1');
    expect(res.body).toMatch(/quire_http_request_duration_seconds_bucket\{le="0.001",route="\/v1\/articles\/:slug"/);
    expect(res.body).toContain('quire_process_cpu_user_seconds_total');
  });

  it('counts answers the fast lane writes itself, over a real socket', async () => {
    const { app, db } = await createTestApp({ config: { metricsToken: TOKEN } });
    const { slug } = await createArticle(db);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const first = await fetch(`${base}/v1/articles/${slug}`);
    await fetch(`${base}/v1/articles/${slug}`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    await fetch(`${base}/v1/articles/${slug}`);
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(text).toContain('quire_fast_lane_answers_total{status="304"} 1');
    expect(text).toContain('quire_fast_lane_answers_total{status="200"} 1');
  });
});
