import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createTestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a write lock held by another process (SQLite)', () => {
  it('delays and then refuses writes with 503 + Retry-After, while reads, cache hits and /healthz go on unblocked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-lock-'));
    dirs.push(dir);
    const url = join(dir, 'quire.db');
    const db = await openDatabase({ url, busyWaitMs: 400 });
    await db.migrate();
    const { app, clock } = await createTestApp({ db });
    const { slug } = await createArticle(db);
    await app.inject({ method: 'GET', url: `/v1/articles/${slug}` }); // a cache entry to hit

    // Another process (a sqlite3 shell, a backup, `cli seed`) takes the write lock and keeps it.
    const other = new Database(url);
    other.exec('BEGIN IMMEDIATE');
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    try {
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
      // While the write waits for the lock: reads, cache hits, uncached reads and health checks answer.
      const reads = [];
      for (let i = 0; i < 20; i += 1) {
        reads.push(
          await app.inject({ method: 'GET', url: `/v1/articles/${slug}` }),
          await app.inject({ method: 'GET', url: `/v1/articles?limit=${(i % 5) + 1}` }),
          await app.inject({ method: 'GET', url: '/healthz' }),
        );
      }
      expect(reads.every((r) => r.statusCode === 200)).toBe(true);
      const refused = await submission;
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.json()).toMatchObject({ status: 503, code: 'busy' });
      // The waiting happened on timers: the event loop never stalled for the lock.
      expect(loop.max / 1e6).toBeLessThan(200);
    } finally {
      loop.disable();
      other.exec('COMMIT');
      other.close();
    }

    // Once the lock is released, writes land again.
    const accepted = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      payload: {
        authorName: 'Ada',
        authorEmail: 'ada@example.org',
        body: 'Written after the lock',
        renderedAt: new Date(clock.now.getTime() - 60_000).toISOString(),
      },
    });
    expect(accepted.statusCode).toBe(202);
  });
});
