import { ConfigError } from './config.js';

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/**
 * One line naming the variable to fix, for start-up failures an operator causes (bad configuration,
 * a port in use, a HOST that is not this machine's); undefined for anything else, which keeps its stack.
 */
export function describeStartupError(error: unknown): string | undefined {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof DatabaseStartupError) return describeDatabaseError(error);
  const e = error as SystemError;
  if (!(e instanceof Error) || typeof e.code !== 'string') return undefined;
  const where = e.port ? `${e.address}:${e.port}` : `${e.address}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `Cannot listen on ${where}: the address is already in use; set PORT to a free port (or stop the other process).`;
    case 'EACCES':
      return `Cannot listen on ${where}: permission denied; set PORT to 1024 or above.`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${where}: HOST is not an address of this machine; set HOST to one (e.g. 127.0.0.1 or 0.0.0.0).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `Cannot listen: HOST ${e.hostname ?? ''} does not resolve; set HOST to an address of this machine.`;
    default:
      return e.syscall === 'listen' ? `Cannot listen on ${where} (${e.code}); check HOST and PORT.` : undefined;
  }
}

/** A failure to open or migrate the configured database at start-up, carrying DATABASE_URL for the message. */
export class DatabaseStartupError extends Error {
  constructor(
    readonly databaseUrl: string,
    override readonly cause: unknown,
  ) {
    super(`Cannot open database ${redact(databaseUrl)}`);
  }
}

/** DATABASE_URL without its password, fit for a log line. */
function redact(databaseUrl: string): string {
  if (!/^postgres(ql)?:/.test(databaseUrl)) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** One line for a database the server cannot open: a file that is not SQLite, or PostgreSQL refusing. */
function describeDatabaseError({ databaseUrl, cause }: DatabaseStartupError): string | undefined {
  const e = cause as SystemError & { address?: string; port?: number };
  if (!(e instanceof Error) || typeof e.code !== 'string') return undefined;
  const where = redact(databaseUrl);
  switch (e.code) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return `Cannot open database ${where}: the file is not a SQLite database or is corrupt; set DATABASE_URL to a Quire database (or move this file away).`;
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
      return `Cannot open database ${where} for writing (${e.code}); check that the file and its directory are writable, or set DATABASE_URL.`;
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `Cannot connect to PostgreSQL at ${where} (${e.code}); check the host and port in DATABASE_URL and that the server runs.`;
    case '3D000':
      return `Cannot open database ${where}: PostgreSQL says ${e.message}; create it (createdb) or set DATABASE_URL.`;
    default:
      // PostgreSQL reports SQLSTATE codes of five characters (28P01 bad password, 53300 too many connections…).
      return /^[0-9A-Z]{5}$/.test(e.code)
        ? `Cannot open database ${where}: PostgreSQL refused with ${e.code}: ${e.message}; check DATABASE_URL.`
        : undefined;
  }
}
