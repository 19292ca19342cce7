import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandles } from '../../src/db/client.js';
import { openDatabase } from '../../src/db/client.js';
import { initializeDatabase } from '../../src/startup.js';
import { hasPostgresServer, openTestDatabase, TEST_ENGINE } from '../helpers/databases.js';
import { createKeyFor } from '../helpers/keys.js';
import { REDIS_URL, type ServerProcess, startServer, waitForReady } from './helpers.js';

const SLUG = 'sciatica-in-runners';
const ARTICLE = `/v1/articles/${SLUG}`;

if (TEST_ENGINE === 'postgres' && !hasPostgresServer) {
  console.log('many processes on PostgreSQL: skipped (set TEST_DATABASE_URL to a server to run them)');
}
if (!REDIS_URL) console.log('comment limit across processes: skipped (set REDIS_URL to run it)');

/** Three processes on one database, its sample content loaded and an editor key stored before they start. */
function threeProcesses(open: () => Promise<{ url: string; db: DatabaseHandles; cleanup: () => Promise<void> }>) {
  const state = { servers: [] as ServerProcess[], key: '', cleanup: async () => {} };
  beforeAll(async () => {
    const { url, db, cleanup } = await open();
    await initializeDatabase(db, { seedIfEmpty: true });
    state.key = await createKeyFor(db, 'editor');
    state.cleanup = async () => {
      await db.close();
      await cleanup();
    };
    const env = {
      DATABASE_URL: url,
      COMMENT_RATE_LIMIT_MAX: '3',
      COMMENT_MIN_SUBMIT_SECONDS: '0',
      ...(REDIS_URL && { REDIS_URL, REDIS_PREFIX: `quire-test-${process.pid}-${Date.now()}:` }),
    };
    state.servers = await Promise.all([1, 2, 3].map(() => startServer(env)));
    await Promise.all(state.servers.map((server) => waitForReady(server)));
  }, 90_000);
  afterAll(async () => {
    for (const server of state.servers) server.child.kill('SIGKILL');
    await Promise.all(state.servers.map((server) => server.exited));
    await state.cleanup();
  });
  return state;
}

function theSameContentEverywhere(state: ReturnType<typeof threeProcesses>) {
  it('shows an edit made through one process through the others on the very next request: no stale 200, ETag or 304', async () => {
    const [writer, ...readers] = state.servers as [ServerProcess, ...ServerProcess[]];
    // Warm every process: each remembers the representation and would answer its ETag with 304.
    const before = await Promise.all(state.servers.map((server) => fetch(`${server.base}${ARTICLE}`)));
    const oldEtag = before[0]!.headers.get('etag')!;
    for (const response of before) expect(response.headers.get('etag')).toBe(oldEtag);
    for (const server of state.servers) {
      const again = await fetch(`${server.base}${ARTICLE}`, { headers: { 'if-none-match': oldEtag } });
      expect(again.status).toBe(304);
    }

    const title = `Edited through one process ${Date.now()}`;
    const edit = await fetch(`${writer.base}/v1/admin/articles/1`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${state.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    expect(edit.status).toBe(200);

    for (const reader of readers) {
      const revalidated = await fetch(`${reader.base}${ARTICLE}`, { headers: { 'if-none-match': oldEtag } });
      expect(revalidated.status).toBe(200);
      const newEtag = revalidated.headers.get('etag');
      expect(newEtag).not.toBe(oldEtag);
      expect(((await revalidated.json()) as { title: string }).title).toBe(title);
      const plain = await fetch(`${reader.base}${ARTICLE}`);
      expect(plain.headers.get('etag')).toBe(newEtag);
      expect(((await plain.json()) as { title: string }).title).toBe(title);
    }
  });

  it.runIf(REDIS_URL)(
    'counts the comment limit across processes in Redis: limit 3, four submissions, one 429',
    async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const server = state.servers[i % state.servers.length]!;
        const response = await fetch(`${server.base}${ARTICLE}/comments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            authorName: 'Ada',
            authorEmail: 'ada@example.org',
            body: `Comment number ${i} here.`,
          }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
    },
  );
}

describe.runIf(TEST_ENGINE === 'sqlite')('three processes on one SQLite file', () => {
  const state = threeProcesses(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-processes-'));
    const url = join(dir, 'quire.db');
    const db = await openDatabase({ url });
    await db.migrate();
    return { url, db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
  theSameContentEverywhere(state);
});

describe.runIf(hasPostgresServer)('three processes on one PostgreSQL database', () => {
  const state = threeProcesses(async () => {
    // A database of its own on the server (dropped when its handle closes).
    const db = await openTestDatabase();
    return { url: db.describe(), db, cleanup: async () => {} };
  });
  theSameContentEverywhere(state);
});
