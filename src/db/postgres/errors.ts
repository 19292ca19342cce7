import type { EngineErrors, ErrorKind } from '../errors.js';

// SQLSTATE codes (PostgreSQL appendix A).
const KINDS: Record<string, ErrorKind> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23514': 'check',
  '23502': 'not_null',
  '22003': 'check', // numeric_value_out_of_range: an id or number beyond the column's range
  '22021': 'check', // character_not_in_repertoire
  '22P05': 'check', // untranslatable_character
  '40001': 'busy', // serialization_failure, once its retries are spent
  '40P01': 'busy', // deadlock_detected, likewise
  '55P03': 'busy', // lock_not_available
  '57014': 'busy', // query_canceled (statement or lock timeout)
  '57P01': 'unavailable', // admin_shutdown
  '57P02': 'unavailable', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now
  '53300': 'unavailable', // too_many_connections
  '53100': 'full', // disk_full
};

// Node's socket errors, when the server is gone or refuses connections.
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

export const postgresErrorKinds: EngineErrors = {
  kindOf: ({ code }) => {
    if (NETWORK.has(code)) return 'unavailable';
    if (code.startsWith('08')) return 'unavailable'; // connection_exception class
    return KINDS[code] ?? null;
  },
  columnsOf: (cause) => {
    const table = typeof cause.table === 'string' ? cause.table : '';
    // 'Key (slug)=(x) already exists.' names the columns of a unique violation.
    const detail = typeof cause.detail === 'string' ? cause.detail : '';
    const columns = /^Key \(([^)]+)\)/.exec(detail)?.[1]?.split(',') ?? [];
    if (typeof cause.column === 'string') columns.push(cause.column);
    return columns.map((c) => `${table}.${c.trim()}`).filter((c) => /^[a-z_]+\.[a-z_]+$/.test(c));
  },
};
