import type { EngineErrors, ErrorKind } from '../errors.js';

const KINDS: Record<string, ErrorKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
};

export const sqliteErrorKinds: EngineErrors = {
  kindOf: ({ code }) => {
    if (!code.startsWith('SQLITE_')) return null;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
    // A full disk, an I/O error, a read-only or vanished file: temporary for the client, nothing half-written.
    if (code === 'SQLITE_FULL') return 'full';
    if (
      code.startsWith('SQLITE_IOERR') ||
      code.startsWith('SQLITE_READONLY') ||
      code === 'SQLITE_GONE' ||
      code === 'SQLITE_CANTOPEN'
    )
      return 'unavailable';
    return KINDS[code] ?? null;
  },
  // "UNIQUE constraint failed: articles.slug, …"
  columnsOf: ({ message }) =>
    (message.split(':')[1] ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => /^[a-z_]+\.[a-z_]+$/.test(c)),
};
