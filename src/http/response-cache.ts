/** An assembled public response, kept as the exact bytes sent. */
export interface CachedResponse {
  body: string;
  surrogateKey: string | undefined;
  /** Absent for JSON, the usual case; feeds and the sitemap name theirs. */
  contentType?: string | undefined;
}

// What a Map entry and its strings cost beyond their characters, so many tiny entries still count.
export const ENTRY_OVERHEAD_BYTES = 64;

/**
 * Least-recently-used map bounded by the bytes its entries hold (as measured by `sizeOf`). Keys
 * carry the content version and scheduling horizon, so an entry is never stale: a change makes a new key.
 */
export function createByteLru<V>(maxBytes: number, sizeOf: (key: string, value: V) => number) {
  const entries = new Map<string, V>();
  let bytes = 0;

  return {
    get(key: string): V | undefined {
      const hit = entries.get(key);
      if (hit !== undefined) {
        // Re-insert: a Map iterates oldest first, so the front is always the least recently used.
        entries.delete(key);
        entries.set(key, hit);
      }
      return hit;
    },
    set(key: string, value: V): void {
      const size = sizeOf(key, value);
      if (size > maxBytes) return;
      const previous = entries.get(key);
      if (previous !== undefined) {
        bytes -= sizeOf(key, previous);
        entries.delete(key);
      }
      entries.set(key, value);
      bytes += size;
      for (const [oldKey, oldValue] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(oldKey);
        bytes -= sizeOf(oldKey, oldValue);
      }
    },
    clear(): void {
      entries.clear();
      bytes = 0;
    },
    stats: () => ({ entries: entries.size, bytes }),
  };
}

/** Response bodies within a byte budget. */
export function createResponseCache(maxBytes: number) {
  return createByteLru<CachedResponse>(
    maxBytes,
    (key, value) => ENTRY_OVERHEAD_BYTES + key.length + value.body.length + (value.surrogateKey?.length ?? 0),
  );
}

export type ResponseCache = ReturnType<typeof createResponseCache>;
