import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// `npm start` runs the compiled server: bring dist/ up to date (incremental, quick when it is).
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
}, 240_000);

async function answers(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/healthz`)).ok;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('shuts Quire down gracefully when npm itself gets SIGTERM (as a process manager sends it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-npm-'));
    dirs.push(dir);
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const base = `http://127.0.0.1:${port}`;
    // Its own process group, so that whatever happens the test can stop everything it started.
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: port, DATABASE_URL: join(dir, 'quire.db'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    npm.stdout.on('data', (chunk) => (output += chunk));
    npm.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!(await answers(base))) {
        if (Date.now() > deadline) throw new Error(`npm start did not become ready:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      npm.kill('SIGTERM'); // npm's process only, never the group
      expect(await exited).toBe(0);
      expect(output).toContain('shutting down');
      expect(await answers(base)).toBe(false);
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
  }, 60_000);
});
