import { badRequest } from './errors.js';

/** Keyset cursors: the sort key of the last row seen, opaque to clients. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends readonly (string | number)[]>(
  cursor: string | undefined,
  shape: readonly ('string' | 'number')[],
): T | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  const valid = Array.isArray(key) && key.length === shape.length && key.every((part, i) => typeof part === shape[i]);
  if (!valid)
    throw badRequest('The cursor is not valid; use meta.nextCursor from a previous page.', [
      { location: 'query', pointer: '/cursor', message: 'Invalid cursor' },
    ]);
  return key as unknown as T;
}

/** Fetch one row more than the limit; its presence means another page exists. */
export function splitPage<Row>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => (string | number)[],
): { rows: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** A collection body around documents that are already JSON text: no parse, no re-serialisation. */
export function collectionJson(
  documents: string[],
  meta: { limit: number; nextCursor: string | null; total?: number },
): string {
  return `{"data":[${documents.join(',')}],"meta":${JSON.stringify(meta)}}`;
}
