import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createTestApp, TEST_ENGINE, type TestClock } from '../helpers/app.js';
import { hasPostgresServer, openTestDatabase, rawRows } from '../helpers/databases.js';
import { createArticle } from '../helpers/factories.js';

const TOKEN = 'metrics-token-for-tests';

const scrape = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).body;
const figure = (body: string, name: string) => Number(body.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);

function submitComment(app: FastifyInstance, slug: string, clock: TestClock, body = 'Written while the lock is held') {
  return app.inject({
    method: 'POST',
    url: `/v1/articles/${slug}/comments`,
    payload: {
      authorName: 'Ada',
      authorEmail: 'ada@example.org',
      body,
      renderedAt: new Date(clock.now.getTime() - 60_000).toISOString(),
    },
  });
}

/** Scrapes until `done` holds (each scrape yields to the timers and sockets of the waiting writes). */
async function scrapeUntil(app: FastifyInstance, done: (body: string) => boolean): Promise<string> {
  let body = await scrape(app);
  for (let i = 0; i < 1000 && !done(body); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    body = await scrape(app);
  }
  return body;
}

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

  it('counts public cache lookups by result, in both lanes: a miss is a public read its route had to build', async () => {
    const { app, db } = await createTestApp({ config: { metricsToken: TOKEN } });
    const { slug } = await createArticle(db);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const lookups = async () => {
      const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      return Object.fromEntries(
        [...text.matchAll(/^quire_public_cache_lookups_total\{result="(\w+)"\} (\d+)$/gm)].map((m) => [
          m[1],
          Number(m[2]),
        ]),
      );
    };
    const miss = await fetch(`${base}/v1/articles/${slug}`);
    expect(await lookups()).toEqual({ miss: 1 });
    await (await fetch(`${base}/v1/articles/${slug}`)).text(); // the fast lane's hit
    await fetch(`${base}/v1/articles/${slug}`, { headers: { 'if-none-match': miss.headers.get('etag')! } });
    expect(await lookups()).toEqual({ miss: 1, hit: 1, not_modified: 1 });
    // Without a socket (inject), Fastify's hooks answer from the same cache and count alike.
    await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    await app.inject({
      method: 'GET',
      url: `/v1/articles/${slug}`,
      headers: { 'if-none-match': miss.headers.get('etag')! },
    });
    await app.inject({ method: 'GET', url: '/v1/articles/missing' });
    // A scrape is not a public read; the 404 was built by its route, so it is a miss.
    expect(await lookups()).toEqual({ miss: 2, hit: 2, not_modified: 2 });
  });

  it.runIf(TEST_ENGINE === 'sqlite')(
    'reports the writer queue depth while a write waits for a lock held elsewhere, and counts its busy retries',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'quire-metrics-'));
      const url = join(dir, 'quire.db');
      const db = await openDatabase({ url, busyWaitMs: 10_000 });
      await db.migrate();
      const { app, clock } = await createTestApp({ db, config: { metricsToken: TOKEN } });
      try {
        const { slug } = await createArticle(db);
        const before = await scrape(app);
        expect(figure(before, 'quire_database_writer_queue_depth')).toBe(0);
        expect(figure(before, 'quire_database_busy_retries_total')).toBe(0);

        const other = new Database(url);
        other.exec('BEGIN IMMEDIATE');
        const submission = submitComment(app, slug, clock);
        const during = await scrapeUntil(app, (body) => figure(body, 'quire_database_busy_retries_total') >= 2);
        expect(figure(during, 'quire_database_writer_queue_depth')).toBe(1);
        expect(figure(during, 'quire_database_busy_retries_total')).toBeGreaterThanOrEqual(2);
        other.exec('COMMIT');
        other.close();
        expect((await submission).statusCode).toBe(202);

        const after = await scrape(app);
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

  it.runIf(TEST_ENGINE === 'postgres')(
    'counts busy retries on PostgreSQL: a write refused with a serialization failure is rerun and answered',
    async () => {
      const { app, db, clock } = await createTestApp({ config: { metricsToken: TOKEN } });
      const { slug } = await createArticle(db);
      // The database refuses the first two comment inserts as it does under contention (SQLSTATE 40001).
      const injected = [
        'create sequence metrics_refusals',
        `create function metrics_refuse_twice() returns trigger language plpgsql as $$
         begin
           if nextval('metrics_refusals') <= 2 then
             raise exception 'injected serialization failure' using errcode = '40001';
           end if;
           return new;
         end $$`,
        'create trigger metrics_refuse_twice before insert on comments for each row execute function metrics_refuse_twice()',
      ];
      for (const statement of injected) await rawRows(db, sql.raw(statement));
      try {
        expect(figure(await scrape(app), 'quire_database_busy_retries_total')).toBe(0);
        expect((await submitComment(app, slug, clock)).statusCode).toBe(202);
        expect(figure(await scrape(app), 'quire_database_busy_retries_total')).toBe(2);
      } finally {
        // PGlite instances are reused by later tests: leave none of it behind.
        await rawRows(db, sql.raw('drop trigger metrics_refuse_twice on comments'));
        await rawRows(db, sql.raw('drop function metrics_refuse_twice()'));
        await rawRows(db, sql.raw('drop sequence metrics_refusals'));
      }
    },
  );

  it.runIf(hasPostgresServer)(
    'reports the writer queue depth on PostgreSQL: callers waiting for a pooled connection while a lock held elsewhere keeps it busy',
    async () => {
      const server = await openTestDatabase();
      // One pooled connection, and no LISTEN connection beside it.
      const db = await openDatabase({ url: server.describe(), poolSize: 1, listen: false });
      const { app, clock } = await createTestApp({ db, config: { metricsToken: TOKEN } });
      const other = new pg.Client({ connectionString: server.describe() });
      try {
        const { slug } = await createArticle(db);
        expect(figure(await scrape(app), 'quire_database_writer_queue_depth')).toBe(0);
        await other.connect();
        await other.query('begin');
        await other.query('lock table comments in access exclusive mode');
        // The first holds the only connection, waiting for the lock; the second waits for the connection.
        const first = submitComment(app, slug, clock, 'First, blocked by the lock');
        const second = submitComment(app, slug, clock, 'Second, waiting for a connection');
        const during = await scrapeUntil(app, (body) => figure(body, 'quire_database_writer_queue_depth') >= 1);
        expect(figure(during, 'quire_database_writer_queue_depth')).toBe(1);
        await other.query('commit');
        expect((await first).statusCode).toBe(202);
        expect((await second).statusCode).toBe(202);
        expect(figure(await scrape(app), 'quire_database_writer_queue_depth')).toBe(0);
      } finally {
        await other.end().catch(() => {});
        await app.close();
        await server.close();
      }
    },
  );
});
