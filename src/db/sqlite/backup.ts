import { existsSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

export interface SqliteBackupOptions {
  /** The live database file. */
  source: string;
  /** Where the copy goes; replaced only once the copy is complete. */
  destination: string;
  /** Pages copied per step, between which the progress is reported (4 KiB pages: 1,000 ≈ 4 MB). */
  pagesPerStep?: number;
  onProgress?: (copied: number, total: number) => void;
}

/** Something the operator must fix (a path): the CLI prints the message alone. */
export class BackupError extends Error {}

/**
 * A consistent copy of a live SQLite database, through SQLite's online backup API (better-sqlite3's
 * `.backup()`): it reads committed pages, WAL included, which a plain `cp` of the file would miss.
 * A write by another connection restarts the copy; when a step finds the copy restarted, the rest
 * is copied in one step, which holds a read snapshot (WAL: writers carry on) so no write can
 * interrupt it. The copy is written beside the destination and renamed once complete.
 */
export async function backupSqlite({
  source,
  destination,
  pagesPerStep = 1000,
  onProgress,
}: SqliteBackupOptions): Promise<{ pages: number }> {
  if (!existsSync(source)) throw new BackupError(`No SQLite database at ${source}: check DATABASE_URL.`);
  if (!existsSync(dirname(resolve(destination))))
    throw new BackupError(`Cannot write ${destination}: the folder ${dirname(resolve(destination))} does not exist.`);
  if (existsSync(destination) && realpathSync(destination) === realpathSync(source))
    throw new BackupError(`The backup would overwrite the database itself (${source}); name another file.`);
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const conn = new Database(source, { fileMustExist: true });
  try {
    // Only the step that copies everything at once may wait, briefly, for a checkpoint by another process.
    conn.pragma('busy_timeout = 5000');
    conn.pragma('query_only = ON');
    let lastRemaining = Number.POSITIVE_INFINITY;
    const { totalPages } = await conn.backup(partial, {
      progress: ({ totalPages: total, remainingPages }) => {
        onProgress?.(total - remainingPages, total);
        const restarted = remainingPages >= lastRemaining;
        lastRemaining = remainingPages;
        return restarted ? 0x7fffffff : pagesPerStep;
      },
    });
    onProgress?.(totalPages, totalPages);
    renameSync(partial, destination);
    return { pages: totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    conn.close();
  }
}
