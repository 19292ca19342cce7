import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { prepareDatabase } from '../src/startup.js';
import { testConfig } from './helpers/app.js';
import { bearer } from './helpers/keys.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let databaseUrl: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quire-cli-'));
  databaseUrl = join(dir, 'quire.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

async function withApp<T>(fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  const config = testConfig({ databaseUrl });
  const { db } = await prepareDatabase(config, { seed: false });
  const app = await buildApp(config, { db });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

const listKeysWith = (key: string) =>
  withApp((app) => app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(key) }));

describe('npm run cli -- keys', () => {
  it('creates keys the API accepts with their role, lists them, and revokes them', { timeout: 60_000 }, async () => {
    const editor = await cli('keys', 'create', '--role', 'editor', '--name', 'Alice');
    expect(editor.code, editor.stderr).toBe(0);
    const editorKey = lastLine(editor.stdout);
    expect(editorKey).toMatch(/^quire_[A-Za-z0-9_-]{43}$/);
    expect(editor.stdout.trimEnd().split('\n')).toHaveLength(2);

    const admin = await cli('keys', 'create', '--role', 'admin', '--name', 'Ops');
    expect(admin.code, admin.stderr).toBe(0);
    const adminKey = lastLine(admin.stdout);

    // 403, not 401: the editor key authenticated but lacks the admin role.
    expect((await listKeysWith(editorKey)).statusCode).toBe(403);
    const listed = await listKeysWith(adminKey);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.map((k: { name: string; role: string }) => [k.name, k.role])).toEqual([
      ['Ops', 'admin'],
      ['Alice', 'editor'],
    ]);

    const list = await cli('keys', 'list');
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ROLE\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED$/);
    const alice = lines.find((line) => line.includes('Alice'));
    expect(alice).toMatch(new RegExp(`^1\\s+Alice\\s+editor\\s+${editorKey.slice(0, 12)}\\s`));
    expect(list.stdout).not.toContain(editorKey);

    const revoked = await cli('keys', 'revoke', '1');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await listKeysWith(editorKey)).statusCode).toBe(401);
    expect((await listKeysWith(adminKey)).statusCode).toBe(200);

    const again = await cli('keys', 'revoke', '1');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already revoked');
    const missing = await cli('keys', 'revoke', '99');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('99');
  });

  it('exits 2 with the usage for a bad role, a missing name or a bad id', { timeout: 60_000 }, async () => {
    const runs = await Promise.all([
      cli('keys', 'create', '--role', 'root', '--name', 'Mallory'),
      cli('keys', 'create', '--role', 'editor'),
      cli('keys', 'revoke', 'abc'),
      cli('keys', 'frobnicate'),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: npm run cli -- <command>');
      expect(run.stdout).toBe('');
    }
    expect(runs[0]?.stderr).toContain('--role');
    expect(runs[1]?.stderr).toContain('--name');
  });

  it('keeps migrate working', { timeout: 60_000 }, async () => {
    const migrate = await cli('migrate');
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain(databaseUrl);
  });
});
