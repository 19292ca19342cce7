import { type SQL, sql } from 'drizzle-orm';

/**
 * Per-connection memo for prepared queries: built and prepared once, on first use, then only
 * executed. A transaction's handle and the read handle each get their own.
 */
export function preparedPer<Db extends object, Q>(build: (db: Db) => Q): (db: Db) => Q {
  const cache = new WeakMap<Db, Q>();
  return (db) => {
    let query = cache.get(db);
    if (query === undefined) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
}

/**
 * The same, one prepared query per small integer (a page size). SQLite plans `LIMIT ?` far
 * worse than a literal limit (about 5x slower here), so each page size gets its own statement.
 */
export function preparedPerLimit<Db extends object, Q>(
  build: (db: Db, limit: number) => Q,
): (db: Db, limit: number) => Q {
  const cache = new WeakMap<Db, Map<number, Q>>();
  return (db, limit) => {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`invalid limit ${limit}`);
    let byLimit = cache.get(db);
    if (byLimit === undefined) {
      byLimit = new Map();
      cache.set(db, byLimit);
    }
    let query = byLimit.get(limit);
    if (query === undefined) {
      query = build(db, limit);
      byLimit.set(limit, query);
    }
    return query;
  };
}

/**
 * ORDER BY terms followed by a literal LIMIT: drizzle binds `.limit(n)` as a parameter, so the
 * literal rides on the last ORDER BY term. `limit` is a checked integer, never user text.
 */
export function orderByWithLimit(limit: number, ...terms: SQL[]): SQL[] {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`invalid limit ${limit}`);
  const last = terms.pop();
  return [...terms, sql`${last} limit ${sql.raw(String(limit))}`];
}
