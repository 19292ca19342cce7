import { postgresErrorKinds } from './postgres/errors.js';
import { sqliteErrorKinds } from './sqlite/errors.js';

/** A database failure the API can explain to a client, independent of the engine. */
export interface ConstraintViolation {
  kind: 'unique' | 'foreign_key' | 'check' | 'not_null';
  /** Columns involved, when the driver names them ("articles.slug"). */
  columns: string[];
}

/** How each engine's error codes read: a constraint broken, or a temporary condition worth a retry. */
export type ErrorKind = ConstraintViolation['kind'] | 'busy' | 'unavailable' | 'full';

export interface EngineErrors {
  kindOf(cause: { code: string; message: string; [key: string]: unknown }): ErrorKind | null;
  columnsOf(cause: { code: string; message: string; [key: string]: unknown }): string[];
}

type Cause = { code: string; message: string; [key: string]: unknown };

function rootCause(error: unknown): Cause | null {
  let current = error;
  // drizzle wraps driver errors; the driver's code sits on the cause.
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      const message = (current as { message?: unknown }).message;
      return { ...(current as object), code, message: typeof message === 'string' ? message : '' } as Cause;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

// node-postgres reports a lost or refused connection without a code.
const CONNECTION_LOST =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

function classify(error: unknown): { kind: ErrorKind; engine: EngineErrors; cause: Cause } | null {
  const cause = rootCause(error);
  if (!cause) {
    const message =
      error instanceof Error ? `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}` : '';
    return CONNECTION_LOST.test(message)
      ? { kind: 'unavailable', engine: postgresErrorKinds, cause: { code: 'connection_lost', message } }
      : null;
  }
  for (const engine of [sqliteErrorKinds, postgresErrorKinds]) {
    const kind = engine.kindOf(cause);
    if (kind) return { kind, engine, cause };
  }
  return null;
}

/** Recognises constraint errors from either engine; everything else is not ours to explain. */
export function asConstraintViolation(error: unknown): ConstraintViolation | null {
  const found = classify(error);
  if (!found || found.kind === 'busy' || found.kind === 'unavailable' || found.kind === 'full') return null;
  return { kind: found.kind, columns: found.engine.columnsOf(found.cause) };
}

/** Locked, busy, serialization failure after its retries: the client may retry shortly. */
export function isDatabaseBusy(error: unknown): boolean {
  return classify(error)?.kind === 'busy';
}

/** The disk is full: the write is refused whole; it may succeed once space is freed. */
export function isStorageFull(error: unknown): boolean {
  return classify(error)?.kind === 'full';
}

/** The connection is lost or the server is shutting down: temporary for the client too. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return classify(error)?.kind === 'unavailable';
}
