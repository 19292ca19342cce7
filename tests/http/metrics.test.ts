import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createTestApp, TEST_ENGINE } from '../helpers/app.js';
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

  it.runIf(TEST_ENGINE === 'sqlite')(
    'reports the writer queue depth while a write waits for a lock held elsewhere, and counts its busy retries',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'quire-metrics-'));
      const url = join(dir, 'quire.db');
      const db = await openDatabase({ url, busyWaitMs: 10_000 });
      await db.migrate();
      const { app, clock } = await createTestApp({ db, config: { metricsToken: TOKEN } });
      const scrape = async () =>
        (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).body;
      const figure = (body: string, name: string) => Number(body.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);
      try {
        const { slug } = await createArticle(db);
        const before = await scrape();
        expect(figure(before, 'quire_database_writer_queue_depth')).toBe(0);
        expect(figure(before, 'quire_database_busy_retries_total')).toBe(0);

        const other = new Database(url);
        other.exec('BEGIN IMMEDIATE');
        const submission = app.inject({
          method: 'POST',
          url: `/v1/articles/${slug}/comments`,
          payload: {
            authorName: 'Ada',
            authorEmail: 'ada@example.org',
            body: 'Written while the lock is held',
            renderedAt: new Date(clock.now.getTime() - 60_000).toISOString(),
          },
        });
        // Scrape until the waiting write shows (each scrape yields to the retry timers).
        let during = await scrape();
        for (let i = 0; i < 500 && figure(during, 'quire_database_busy_retries_total') < 2; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          during = await scrape();
        }
        expect(figure(during, 'quire_database_writer_queue_depth')).toBe(1);
        expect(figure(during, 'quire_database_busy_retries_total')).toBeGreaterThanOrEqual(2);
        other.exec('COMMIT');
        other.close();
        expect((await submission).statusCode).toBe(202);

        const after = await scrape();
        expect(figure(after, 'quire_database_writer_queue_depth')).toBe(0);
        expect(figure(after, 'quire_database_busy_retries_total')).toBeGreaterThanOrEqual(
          figure(during, 'quire_database_busy_retries_total'),
        );
      } finally {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
