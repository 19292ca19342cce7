import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type DatabaseHandles, openDatabase } from '../../src/db/client.js';
import { createTestApp } from '../helpers/app.js';
import { hasPostgresServer, openSharedTestDatabases, rawRows } from '../helpers/databases.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

/** A latch on the listener: resolves once it knows `version` or later. */
function knows(db: DatabaseHandles, version: number): Promise<void> {
  const feed = db.contentVersion!;
  return new Promise((resolve) => {
    const check = () => {
      if ((feed.current() ?? -1) >= version) {
        feed.off('version', check);
        resolve();
      }
    };
    feed.on('version', check);
    check();
  });
}

const lost = (db: DatabaseHandles) =>
  new Promise<void>((resolve) => {
    const once = () => {
      db.contentVersion!.off('lost', once);
      resolve();
    };
    db.contentVersion!.on('lost', once);
  });

async function twoListeningProcesses() {
  const [owner] = await openSharedTestDatabases();
  const statements: string[] = [];
  const one = await openDatabase({ url: owner.describe(), poolSize: 3, listen: true });
  const other = await openDatabase({
    url: owner.describe(),
    poolSize: 3,
    listen: true,
    trace: (query) => statements.push(query),
  });
  await Promise.all([knows(one, 0), knows(other, 0)]);
  const a = await createTestApp({ db: one });
  const b = await createTestApp({ db: other, clock: a.clock });
  const key = bearer(await createKeyFor(a.db, 'admin', 'Editor'));
  const { id, slug } = await createArticle(a.db, { title: 'First title' });
  return { owner, a, b, key, id, slug: slug as string, statements };
}

async function edit(
  app: Awaited<ReturnType<typeof createTestApp>>['app'],
  key: Record<string, string>,
  id: number,
  title: string,
) {
  const url = `/v1/admin/articles/${id}`;
  const etag = (await app.inject({ method: 'GET', url, headers: key })).headers.etag as string;
  const res = await app.inject({ method: 'PATCH', url, headers: { ...key, 'if-match': etag }, payload: { title } });
  expect(res.statusCode).toBe(200);
}

describe.skipIf(!hasPostgresServer)('content version from LISTEN/NOTIFY (PostgreSQL server)', () => {
  it('serves cache hits without reading the version, and an edit in one process freshens the other', async () => {
    const { owner, a, b, key, id, slug, statements } = await twoListeningProcesses();
    try {
      await knows(b.db, a.db.contentVersion!.current()!);
      const url = `/v1/articles/${slug}`;
      const first = await b.app.inject({ method: 'GET', url });
      expect(first.statusCode).toBe(200);
      statements.length = 0;
      const hit = await b.app.inject({
        method: 'GET',
        url,
        headers: { 'if-none-match': first.headers.etag as string },
      });
      expect(hit.statusCode).toBe(304);
      expect(statements.filter((q) => q.includes('content_version'))).toEqual([]);

      await edit(a.app, key, id, 'Second title');
      await knows(b.db, a.db.contentVersion!.current()!);
      const after = await b.app.inject({
        method: 'GET',
        url,
        headers: { 'if-none-match': first.headers.etag as string },
      });
      expect(after.statusCode).toBe(200);
      expect(after.headers.etag).not.toBe(first.headers.etag);
      expect(after.json().title).toBe('Second title');
      // The editing process sees its own write at once, before its notification comes back.
      expect((await a.app.inject({ method: 'GET', url })).json().title).toBe('Second title');
    } finally {
      await a.app.close();
      await b.app.close();
      await owner.close();
    }
  });

  it('stays correct after the listener is killed, and listens again', async () => {
    const { owner, a, b, key, id, slug } = await twoListeningProcesses();
    try {
      const url = `/v1/articles/${slug}`;
      const warm = await b.app.inject({ method: 'GET', url });
      const dropped = Promise.all([lost(a.db), lost(b.db)]);
      const killed = await rawRows<{ killed: boolean }>(
        owner,
        sql`select pg_terminate_backend(pid) as killed from pg_stat_activity
            where application_name = 'quire content listener' and datname = current_database()`,
      );
      expect(killed.length).toBe(2);
      await dropped;
      await edit(a.app, key, id, 'While deaf');
      // Reconnected already (back-off starts at 100 ms)? Then its notification may still be on the way.
      const [row] = await rawRows<{ version: number }>(owner, sql`select version from content_version`);
      if (b.db.contentVersion!.current() !== undefined) await knows(b.db, row!.version);
      const deaf = await b.app.inject({
        method: 'GET',
        url,
        headers: { 'if-none-match': warm.headers.etag as string },
      });
      expect(deaf.statusCode).toBe(200);
      expect(deaf.json().title).toBe('While deaf');

      // Back-off reconnects; then notifications carry edits again.
      await Promise.all([knows(a.db, 0), knows(b.db, 0)]);
      await edit(a.app, key, id, 'Listening again');
      await knows(b.db, a.db.contentVersion!.current()!);
      const again = await b.app.inject({
        method: 'GET',
        url,
        headers: { 'if-none-match': deaf.headers.etag as string },
      });
      expect(again.statusCode).toBe(200);
      expect(again.json().title).toBe('Listening again');
    } finally {
      await a.app.close();
      await b.app.close();
      await owner.close();
    }
  });
});
