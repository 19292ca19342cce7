import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseHandles } from '../../src/db/client.js';
import { initializeDatabase } from '../../src/startup.js';
import { hasPostgresServer, openTestDatabase, rawRows, TEST_ENGINE } from '../helpers/databases.js';
import { type ServerProcess, startServer, waitForReady } from './helpers.js';

const COMMENTS = '/v1/articles/sciatica-in-runners/comments';

if (TEST_ENGINE === 'postgres' && !hasPostgresServer) {
  console.log('kill -9 of one of two processes: skipped (set TEST_DATABASE_URL to a server to run it)');
}

describe.runIf(hasPostgresServer)('kill -9 of one of two processes on one PostgreSQL database', () => {
  let db: DatabaseHandles | undefined;
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.exited));
    await db?.close();
  });

  it('loses no acknowledged comment', async () => {
    db = await openTestDatabase();
    await initializeDatabase(db, { seedIfEmpty: true });
    const env = {
      DATABASE_URL: db.describe(),
      DATABASE_POOL_SIZE: '3',
      COMMENT_RATE_LIMIT_MAX: '1000000',
      COMMENT_MIN_SUBMIT_SECONDS: '0',
    };
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
    await Promise.all(servers.map((server) => waitForReady(server)));
    const [victim, survivor] = servers as [ServerProcess, ServerProcess];

    const acknowledged: string[] = [];
    let sent = 0;
    let killed = false;
    // Four clients per process, each submitting in a loop; the victim dies once 100 are acknowledged.
    const client = async (server: ServerProcess, stopAfter: number) => {
      while (sent < stopAfter) {
        sent += 1;
        const body = `Comment ${sent} sent while one process may die, with words enough.`;
        try {
          const response = await fetch(`${server.base}${COMMENTS}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ authorName: 'Ada', authorEmail: `ada${sent}@example.org`, body }),
          });
          if (response.status === 202) acknowledged.push(body);
        } catch {
          if (server === victim && killed) return; // the connection died with the process
          throw new Error(`submission failed: ${server.output()}`);
        }
        if (!killed && acknowledged.length >= 100) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([
      ...[1, 2, 3, 4].map(() => client(victim, 400)),
      ...[1, 2, 3, 4].map(() => client(survivor, 400)),
    ]);
    expect(killed).toBe(true);
    expect(await victim.exited).toBe(null);

    const stored = new Set(
      (await rawRows<{ body: string }>(db, sql`select body from comments`)).map((row) => row.body),
    );
    const lost = acknowledged.filter((body) => !stored.has(body));
    expect(acknowledged.length).toBeGreaterThan(150);
    expect(lost).toEqual([]);
  }, 120_000);
});
