import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DatabaseHandles, openDatabase } from '../../src/db/client.js';
import { initializeDatabase } from '../../src/startup.js';
import { hasPostgresServer, openTestDatabase, TEST_ENGINE } from '../helpers/databases.js';
import { createKeyFor } from '../helpers/keys.js';
import { type Received, startReceiver } from '../helpers/receiver.js';
import { type ServerProcess, startServer, waitForReady } from './helpers.js';

if (TEST_ENGINE === 'postgres' && !hasPostgresServer)
  console.log('webhooks across a kill on PostgreSQL: skipped (set TEST_DATABASE_URL to a server to run it)');

function verified(secret: string, request: Received): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request.headers['quire-signature']));
  return (
    match !== null && createHmac('sha256', secret).update(`${match[1]}.${request.body}`).digest('hex') === match[2]
  );
}

function scriptedSession(open: () => Promise<{ url: string; db: DatabaseHandles; cleanup: () => Promise<void> }>) {
  it('a receiver sees every event of an editorial session, signed, in order per resource, across a kill -9 and a restart', async () => {
    const { url, db, cleanup } = await open();
    await initializeDatabase(db, { seedIfEmpty: false });
    const admin = { authorization: `Bearer ${await createKeyFor(db, 'admin')}`, 'content-type': 'application/json' };
    let hang = false;
    const receiver = await startReceiver((_req, res) => {
      if (!hang) res.end('ok'); // hanging: the request stays open until the sender dies
    });
    const env = {
      DATABASE_URL: url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '1000',
      SEED_ON_EMPTY: 'false',
    };
    let server: ServerProcess = await startServer(env);
    try {
      await waitForReady(server);
      const call = async (method: string, path: string, body?: object, headers: Record<string, string> = {}) => {
        const res = await fetch(`${server.base}${path}`, {
          method,
          headers: { ...admin, ...headers },
          ...(body && { body: JSON.stringify(body) }),
        });
        expect(res.status, `${method} ${path}`).toBeLessThan(300);
        return res;
      };
      const hook = (await (await call('POST', '/v1/admin/webhooks', { url: `${receiver.url}/hook` })).json()) as {
        secret: string;
      };

      const article = (await (
        await call('POST', '/v1/admin/articles', {
          title: 'Hip Mobility',
          sections: [{ heading: 'Warm-up', tips: [{ title: 'Swings', body: 'Ten.' }] }],
        })
      ).json()) as { id: number; sections: { tips: { id: number }[] }[] };
      await call('POST', `/v1/admin/articles/${article.id}/publish`);
      await receiver.waitFor(1);
      const product = (await (await call('POST', '/v1/admin/products', { name: 'Seat Cushion' })).json()) as {
        id: number;
      };
      await receiver.waitFor(2);

      // The next delivery hangs at the receiver; the sender is killed while it waits.
      hang = true;
      const etag = (await call('GET', `/v1/admin/articles/${article.id}`)).headers.get('etag')!;
      await call(
        'PATCH',
        `/v1/admin/tips/${article.sections[0]!.tips[0]!.id}`,
        { body: 'Twenty.' },
        { 'if-match': etag },
      );
      await receiver.waitFor(3);
      server.child.kill('SIGKILL');
      await server.exited;
      hang = false;

      server = await startServer(env);
      await waitForReady(server);
      const etag2 = (await call('GET', `/v1/admin/articles/${article.id}`)).headers.get('etag')!;
      await call('PATCH', `/v1/admin/articles/${article.id}`, { slug: 'hips' }, { 'if-match': etag2 });
      await call('PATCH', `/v1/admin/products/${product.id}`, { inStock: false });
      await call('PATCH', '/v1/admin/site', { name: 'Renamed' });
      await call('POST', `/v1/admin/articles/${article.id}/unpublish`);
      await call('POST', `/v1/admin/articles/${article.id}/publish`);
      await call('DELETE', `/v1/admin/articles/${article.id}`);
      await call('DELETE', `/v1/admin/products/${product.id}?force=true`);

      const expected = [
        ['article.published', article.id],
        ['product.updated', product.id],
        ['article.updated', article.id],
        ['article.slug_changed', article.id],
        ['product.updated', product.id],
        ['site.updated', 1],
        ['article.unpublished', article.id],
        ['article.published', article.id],
        ['article.deleted', article.id],
        ['product.deleted', product.id],
      ];
      // The one in flight at the kill is sent again after the restart: at least once, never lost.
      await receiver.waitFor(expected.length + 1);
      expect(receiver.received.every((r) => verified(hook.secret, r))).toBe(true);
      const firstArrivals = new Map<string, Received>();
      for (const r of receiver.received)
        if (!firstArrivals.has(String(r.headers['quire-event'])))
          firstArrivals.set(String(r.headers['quire-event']), r);
      const events = [...firstArrivals.values()].map((r) => JSON.parse(r.body));
      expect(events.map((e) => [e.type, e.data.id])).toEqual(expected);
      expect(receiver.received.length).toBe(expected.length + 1);
      expect(events.find((e) => e.type === 'article.slug_changed')?.data).toMatchObject({
        slug: 'hips',
        previousSlug: 'hip-mobility',
      });
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
      await db.close();
      await cleanup();
    }
  }, 90_000);
}

describe.runIf(TEST_ENGINE === 'sqlite')('webhooks across a process kill, on SQLite', () => {
  scriptedSession(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-webhooks-'));
    const url = join(dir, 'quire.db');
    return { url, db: await openDatabase({ url }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describe.runIf(hasPostgresServer)('webhooks across a process kill, on PostgreSQL', () => {
  scriptedSession(async () => {
    const db = await openTestDatabase();
    return { url: db.describe(), db, cleanup: async () => {} };
  });
});
