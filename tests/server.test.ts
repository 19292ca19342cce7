import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => {
    output += chunk;
    errors += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output, stderr: () => errors };
}

async function waitForReady(base: string, deadline = Date.now() + 15_000) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('server did not become ready');
}

describe('server process', () => {
  it('serves the sample article, then finishes cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-server-'));
    dirs.push(dir);
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const server = startServer({ PORT: port, DATABASE_URL: join(dir, 'quire.db') });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitForReady(base);
      const article = await fetch(`${base}/v1/articles/sciatica-in-runners`);
      expect(article.status).toBe(200);
      expect(((await article.json()) as { sections: unknown[] }).sections).toHaveLength(3);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shutting down');
      // The first lines name the database, whether migrations ran and whether the sample was loaded.
      expect(server.output()).toMatch(
        /"database":"[^"]*quire\.db".*"migrations":"applied".*"sampleLoaded":true.*"msg":"database ready"/,
      );
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('refuses to start on a bad variable, naming it', async () => {
    const server = startServer({ PORT: 'not-a-port' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT/);
  });

  /** Starts the server on a fresh database and expects exit code 1 with one line on stderr matching `line`. */
  async function expectOneLineFailure(env: Record<string, string>, line: RegExp) {
    const dir = mkdtempSync(join(tmpdir(), 'quire-server-'));
    dirs.push(dir);
    const server = startServer({ DATABASE_URL: join(dir, 'quire.db'), LOG_LEVEL: 'silent', ...env });
    try {
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toMatch(new RegExp(`^${line.source}\n$`));
    } finally {
      server.child.kill('SIGKILL');
    }
  }

  it.each([
    ['cafe', /Invalid configuration: TRUST_PROXY: .*cafe/],
    ['1', /Invalid configuration: TRUST_PROXY: hop counts are not accepted.*/],
  ])('stops on TRUST_PROXY=%s with one line naming it', async (value, line) => {
    await expectOneLineFailure({ TRUST_PROXY: value }, line);
  });

  it('stops with one line naming PORT when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expectOneLineFailure(
        { PORT: String(port) },
        /Cannot listen on 127\.0\.0\.1:\d+: the address is already in use; set PORT .*/,
      );
    } finally {
      blocker.close();
    }
  });

  it.each([
    ['not-a-host.invalid', /Cannot listen: HOST not-a-host\.invalid does not resolve.*/],
    ['203.0.113.5', /Cannot listen on 203\.0\.113\.5(:\d+)?: HOST is not an address of this machine.*/],
  ])('stops with one line naming HOST for HOST=%s', async (host, line) => {
    await expectOneLineFailure({ HOST: host, PORT: '0' }, line);
  });

  it('stops with one line naming the file when DATABASE_URL names a file of random bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-server-'));
    dirs.push(dir);
    const file = join(dir, 'random.db');
    writeFileSync(file, randomBytes(8192));
    await expectOneLineFailure(
      { DATABASE_URL: file, PORT: '0' },
      new RegExp(
        `Cannot open database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the file is not a SQLite database or is corrupt.*`,
      ),
    );
  });

  it.each([
    [
      'an unknown database',
      'postgres://postgres:secret@127.0.0.1:5432/quire_no_such_database',
      /Cannot open database postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/quire_no_such_database: PostgreSQL says database "quire_no_such_database" does not exist.*/,
    ],
    [
      'a port nobody listens on',
      'postgres://postgres@127.0.0.1:1/quire',
      /Cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/quire \(ECONNREFUSED\).*/,
    ],
  ])(
    'stops with one line naming DATABASE_URL when PostgreSQL refuses (%s), password hidden',
    async (_name, url, line) => {
      if (url.includes(':5432') && !process.env.TEST_DATABASE_URL) {
        console.log('skipped: needs a PostgreSQL server (set TEST_DATABASE_URL)');
        return;
      }
      await expectOneLineFailure({ DATABASE_URL: url, PORT: '0' }, line);
    },
  );
});
