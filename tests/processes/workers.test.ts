import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ENGINE } from '../helpers/databases.js';
import { startServer, waitForOutput, waitForReady } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// One primary and its workers; the PostgreSQL side of WORKERS is the same code on another URL.
describe.runIf(TEST_ENGINE === 'sqlite')('WORKERS=2', () => {
  it('serves one port from two workers, restarts one that dies, and exits 0 on SIGTERM once both stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-workers-'));
    dirs.push(dir);
    const server = await startServer({ WORKERS: '2', LOG_LEVEL: 'info', DATABASE_URL: join(dir, 'quire.db') });
    try {
      await waitForReady(server);
      const started = await waitForOutput(
        server,
        /"workerPid":(\d+).*"worker started"[\s\S]*"workerPid":(\d+).*"worker started"/,
      );
      expect(server.output()).toMatch(/"role":"primary".*"sampleLoaded":true.*"database ready"/);
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => fetch(`${server.base}/v1/articles/sciatica-in-runners`)),
      );
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);

      // A worker killed from outside is replaced; the port keeps answering meanwhile.
      process.kill(Number(started[1]), 'SIGKILL');
      await waitForOutput(server, /"signal":"SIGKILL".*"worker died; restarting"/);
      await waitForOutput(server, /"worker":3,"port":\d+,"msg":"worker listening"/);
      expect((await fetch(`${server.base}/v1/site`)).status).toBe(200);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output().match(/"msg":"worker stopped"/g)).toHaveLength(2);
      expect(server.output()).toContain('"failedExits":0,"msg":"all workers stopped; exiting"');
    } finally {
      server.child.kill('SIGKILL');
    }
  }, 60_000);
});
