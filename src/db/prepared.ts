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
