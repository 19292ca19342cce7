import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSampleContent } from '../seeds/load.js';
import { buildApp } from '../src/app.js';
import { openDatabase } from '../src/db/client.js';
import { insertComment, insertModerationEvent } from '../src/modules/comments/comments.repository.js';
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

function cliWith(options: { database?: string; stdin?: string }, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: options.database ?? databaseUrl, LOG_LEVEL: 'silent' },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

const cli = (...args: string[]) => cliWith({}, ...args);

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

describe('npm run cli -- export, import', () => {
  it('exports to a file or stdout, imports into an empty database, refuses a non-empty one', {
    timeout: 120_000,
  }, async () => {
    expect((await cli('seed')).code).toBe(0);
    const file = join(dir, 'quire.jsonl');
    const toFile = await cli('export', file);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stdout).toContain(file);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ format: 'quire-export', version: 1 });
    // Without a file, the export alone goes to stdout: the same bytes.
    const toStdout = await cli('export');
    expect(toStdout.code, toStdout.stderr).toBe(0);
    expect(toStdout.stdout).toBe(text);
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);

    const target = join(dir, 'moved.db');
    const imported = await cliWith({ database: target }, 'import', file);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^Imported \d+ row\(s\) into 16 tables of /);
    expect((await cliWith({ database: target }, 'export')).stdout).toBe(text);

    // Not empty: exit code 1, one line saying why, and the database as it was.
    const again = await cliWith({ database: target, stdin: text }, 'import');
    expect(again.code).toBe(1);
    expect(again.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^Refusing to import into .*moved\.db: it is not empty \(/),
    ]);
    expect((await cliWith({ database: target }, 'export')).stdout).toBe(text);

    const missing = await cliWith({ database: join(dir, 'other.db') }, 'import', join(dir, 'nope.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`No such file: ${join(dir, 'nope.jsonl')}`);
  });

  it('imports from stdin', { timeout: 60_000 }, async () => {
    expect((await cli('seed')).code).toBe(0);
    const { stdout: text } = await cli('export');
    const target = join(dir, 'piped.db');
    const piped = await cliWith({ database: target, stdin: text }, 'import');
    expect(piped.code, piped.stderr).toBe(0);
    expect((await cliWith({ database: target }, 'export')).stdout).toBe(text);
  });
});

describe('npm run cli -- backup', () => {
  it('copies a live SQLite database while writes happen: every committed row, consistent', {
    timeout: 60_000,
  }, async () => {
    const db = await openDatabase({ url: databaseUrl });
    await db.migrate();
    await seedSampleContent({ withTransaction: db.withTransaction, now: new Date() });
    // A long read (another request of the server, say) holds a snapshot from before the writes: no
    // checkpoint can move them into the main file, they stay in the WAL, where a plain copy misses them.
    const longRead = new Database(databaseUrl, { readonly: true });
    longRead.exec('begin');
    longRead.prepare('select count(*) from comments').get();
    // A comment and its moderation event in one transaction, again and again, as a live server writes.
    const committed: number[] = [];
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n += 1) {
        const at = new Date().toISOString();
        const id = await db.withTransaction(async (tx) => {
          const values = {
            articleId: 1,
            authorName: `W${n}`,
            authorEmail: 'w@example.org',
            body: `Write ${n}`,
            status: 'pending' as const,
            contentHash: `w${n}`,
            createdAt: at,
            updatedAt: at,
          };
          const commentId = await insertComment({ db: tx, values });
          await insertModerationEvent({
            db: tx,
            values: { commentId, fromStatus: null, toStatus: 'pending', actor: 'system', note: null, at },
          });
          return commentId;
        });
        committed.push(id);
      }
    })();
    // The writer failing ends the wait too (and the test, below).
    const stopped = writer.then(() => 'stopped');
    while (committed.length < 5 && (await Promise.race([stopped, new Promise((r) => setTimeout(r, 5))])) !== 'stopped');
    const before = [...committed];
    const copy = join(dir, 'backup.db');
    const result = await cli('backup', copy);
    const after = [...committed];
    writing = false;
    await writer;
    await db.close();
    longRead.exec('commit');
    longRead.close();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Backed up ${databaseUrl} to ${copy}`);
    expect(after.length).toBeGreaterThan(before.length);

    const backup = new Database(copy, { readonly: true });
    try {
      expect(backup.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(backup.pragma('foreign_key_check')).toEqual([]);
      const ids = (
        backup.prepare("select id from comments where author_name like 'W%' order by id").all() as { id: number }[]
      ).map((r) => r.id);
      // Every row committed before the backup started, and no half transaction: each comment has its event.
      expect(ids).toEqual(expect.arrayContaining(before));
      expect(ids).toEqual(committed.slice(0, ids.length));
      const orphans = backup
        .prepare(
          "select count(*) as n from comments c where author_name like 'W%' and not exists (select 1 from moderation_events e where e.comment_id = c.id)",
        )
        .get() as { n: number };
      expect(orphans.n).toBe(0);
    } finally {
      backup.close();
    }
  });

  it('on PostgreSQL, refuses in one line naming pg_dump, without connecting', { timeout: 60_000 }, async () => {
    const refused = await cliWith({ database: 'postgres://quire@127.0.0.1:1/none' }, 'backup', join(dir, 'x.db'));
    expect(refused.code).toBe(1);
    expect(refused.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining('use pg_dump')]);
    const usage = await cli('backup');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('backup needs the file');
  });
});
