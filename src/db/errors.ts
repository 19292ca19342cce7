/** A database failure the API can explain to a client, independent of the driver. */
export interface ConstraintViolation {
  kind: 'unique' | 'foreign_key' | 'check' | 'not_null';
  /** Columns involved, when the driver names them ("articles.slug"). */
  columns: string[];
}

function rootCause(error: unknown): unknown {
  let current = error;
  // drizzle wraps driver errors; the driver's code sits on the cause.
  for (
    let depth = 0;
    depth < 5 && current && typeof current === 'object' && !('code' in current) && 'cause' in current;
    depth += 1
  ) {
    current = (current as { cause: unknown }).cause;
  }
  return current;
}

const KINDS: Record<string, ConstraintViolation['kind']> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
};

/** Recognises constraint errors from SQLite; everything else is not ours to explain. */
export function asConstraintViolation(error: unknown): ConstraintViolation | null {
  const cause = rootCause(error) as { code?: unknown; message?: unknown } | null;
  if (!cause || typeof cause.code !== 'string') return null;
  const kind = KINDS[cause.code];
  if (!kind) return null;
  const message = typeof cause.message === 'string' ? cause.message : '';
  const named = message.split(':')[1] ?? '';
  const columns = named
    .split(',')
    .map((c) => c.trim())
    .filter((c) => /^[a-z_]+\.[a-z_]+$/.test(c));
  return { kind, columns };
}

/** Busy or locked beyond the busy timeout: the client may retry. */
export function isDatabaseBusy(error: unknown): boolean {
  const cause = rootCause(error) as { code?: unknown } | null;
  return (
    typeof cause?.code === 'string' && (cause.code.startsWith('SQLITE_BUSY') || cause.code.startsWith('SQLITE_LOCKED'))
  );
}
