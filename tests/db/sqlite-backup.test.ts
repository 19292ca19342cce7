import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSampleContent } from '../../seeds/load.js';
import { openDatabase } from '../../src/db/client.js';
import { BackupError, backupSqlite } from '../../src/db/sqlite/backup.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quire-backup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A live database: sample content and enough tags to span many pages, kept open as a server keeps it. */
async function liveDatabase() {
  const source = join(dir, 'live.db');
  const db = await openDatabase({ url: source });
  await db.migrate();
  await seedSampleContent({ withTransaction: db.withTransaction, now: new Date('2026-06-01T12:00:00.000Z') });
  // Another process's connection: it writes synchronously between two steps of the copy.
  const other = new Database(source);
  other.pragma('busy_timeout = 5000');
  other.exec(`with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000)
    insert into tags (slug, name) select 'bulk-' || i, 'Bulk tag ' || i from n`);
  return { source, db, other };
}

const tagsIn = (path: string) => {
  const copy = new Database(path, { readonly: true });
  try {
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('foreign_key_check')).toEqual([]);
    return (copy.prepare('select count(*) as n from tags').get() as { n: number }).n;
  } finally {
    copy.close();
  }
};

describe('backupSqlite', () => {
  it('copies a live database whole while writes land between its steps', async () => {
    const { source, db, other } = await liveDatabase();
    const insert = other.prepare(`insert into tags (slug, name) values (?, 'Written during the backup')`);
    let writes = 0;
    const steps: number[] = [];
    const destination = join(dir, 'copy.db');
    // One page per step and a committed write before every step: each write restarts SQLite's copy.
    const { pages } = await backupSqlite({
      source,
      destination,
      pagesPerStep: 1,
      onProgress: (copied, total) => {
        steps.push(copied);
        // Bounded, so that a copy that never finished on its own would still end (and fail below).
        if (copied < total && writes < 50) {
          writes += 1;
          insert.run(`during-${writes}`);
        }
      },
    });
    expect(pages).toBeGreaterThan(20);
    // The copy did not start over 50 times: once restarted, the rest went in one step.
    expect(writes).toBeLessThan(5);
    // Nothing beside the copy: the partial file was renamed.
    expect(readdirSync(dir).filter((name) => name.startsWith('copy'))).toEqual(['copy.db']);
    expect(tagsIn(destination)).toBe(3 + 2000 + writes);
    other.close();
    await db.close();
  });

  it('refuses to overwrite the database itself, or to read a database that is not there', async () => {
    const { source, db, other } = await liveDatabase();
    await expect(backupSqlite({ source, destination: source })).rejects.toThrow(BackupError);
    await expect(backupSqlite({ source: join(dir, 'missing.db'), destination: join(dir, 'x.db') })).rejects.toThrow(
      /No SQLite database at/,
    );
    await expect(backupSqlite({ source, destination: join(dir, 'no', 'such', 'x.db') })).rejects.toThrow(
      /does not exist/,
    );
    other.close();
    await db.close();
  });
});
