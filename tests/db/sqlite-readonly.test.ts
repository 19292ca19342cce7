import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { initializeDatabase } from '../../src/startup.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** `chattr +i` makes a file read-only even for root (tests run as root, where chmod changes nothing). */
function chattrWorks(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'quire-chattr-'));
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const works = chattrWorks();
if (!works && process.env.REQUIRE_CHATTR === '1') throw new Error('REQUIRE_CHATTR=1 but chattr +i does not work here');
if (!works) console.log('read-only database file: skipped (chattr +i is not available here)');

describe.runIf(works)('a read-only database file', () => {
  it('stops start-up with one line naming the file and exit code 1, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-readonly-'));
    const file = join(dir, 'quire.db');
    const db = await openDatabase({ url: file });
    await initializeDatabase(db, { seedIfEmpty: false });
    await db.close();
    // The file and its folder: SQLite can neither write the file nor create its journal beside it.
    execFileSync('chattr', ['+i', file, dir]);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: file, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toContain(`Cannot open database ${file} for writing`);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      execFileSync('chattr', ['-i', file, dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
