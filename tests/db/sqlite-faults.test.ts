import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createTestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function fileApp(options: { maxPageCount?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'quire-fault-'));
  dirs.push(dir);
  const url = join(dir, 'quire.db');
  const db = await openDatabase({ url, ...options });
  await db.migrate();
  const ctx = await createTestApp({ db });
  return { ...ctx, url, key: bearer(await createKeyFor(db, 'editor')) };
}

const create = (ctx: Awaited<ReturnType<typeof fileApp>>, title: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/admin/articles',
    headers: ctx.key,
    payload: { title, sections: [{ heading: 'H', tips: [{ title: 'T', body: 'x'.repeat(2000) }] }] },
  });

describe('faults on a SQLite file', () => {
  it('fails readiness and refuses writes with 503 once the database file is deleted, instead of writing into the void', async () => {
    const ctx = await fileApp();
    await createArticle(ctx.db);
    expect((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${ctx.url}${suffix}`, { force: true });
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const write = await create(ctx, 'After the delete');
    expect(write.statusCode).toBe(503);
    expect(write.headers['retry-after']).toBeDefined();
    expect(write.json()).toMatchObject({ status: 503 });
  });

  it('answers a full disk with 503 storage_full and Retry-After, writes nothing half, and recovers once there is room', async () => {
    const ctx = await fileApp();
    await create(ctx, 'Fits');
    // Cap the file at its current size: the next write needs pages it cannot have.
    const probe = new Database(ctx.url, { readonly: true });
    const pages = (probe.pragma('page_count', { simple: true }) as number) + 1;
    probe.close();
    const capped = await openDatabase({ url: ctx.url, maxPageCount: pages });
    const full = await createTestApp({ db: capped });
    const before = (await full.app.inject({ method: 'GET', url: '/v1/admin/articles', headers: ctx.key })).json();
    let refused: Awaited<ReturnType<typeof create>> | undefined;
    for (let i = 0; i < 20 && !refused; i += 1) {
      const res = await create({ ...ctx, app: full.app }, `Big ${i}`);
      if (res.statusCode !== 201) refused = res;
    }
    expect(refused?.statusCode).toBe(503);
    expect(refused?.json()).toMatchObject({ code: 'storage_full' });
    expect(refused?.headers['retry-after']).toBeDefined();
    // Whatever was refused left nothing behind: every stored article is whole (it has its section).
    const after = (
      await full.app.inject({ method: 'GET', url: '/v1/admin/articles?limit=100', headers: ctx.key })
    ).json();
    for (const item of after.data) {
      const article = (
        await full.app.inject({ method: 'GET', url: `/v1/admin/articles/${item.id}`, headers: ctx.key })
      ).json();
      expect(article.sections).toHaveLength(1);
    }
    expect(after.data.length).toBeGreaterThanOrEqual(before.data.length);
    // Room again (the original handle has no cap): writes land.
    expect((await create(ctx, 'Room again')).statusCode).toBe(201);
  });
});
