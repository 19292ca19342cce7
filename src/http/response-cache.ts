/** An assembled public response, kept as the exact bytes sent. */
export interface CachedResponse {
  body: string;
  surrogateKey: string | undefined;
  /** Absent for JSON, the usual case; feeds and the sitemap name theirs. */
  contentType?: string | undefined;
}

/**
 * Least-recently-used map bounded by the bytes of the bodies it holds. Keys carry the content
 * version and scheduling horizon, so an entry is never stale: a change makes a new key.
 */
export function createResponseCache(maxBytes: number) {
  const entries = new Map<string, CachedResponse>();
  let bytes = 0;
  const sizeOf = (key: string, value: CachedResponse) =>
    key.length + value.body.length + (value.surrogateKey?.length ?? 0);

  return {
    get(key: string): CachedResponse | undefined {
      const hit = entries.get(key);
      if (hit) {
        // Re-insert: a Map iterates oldest first, so the front is always the least recently used.
        entries.delete(key);
        entries.set(key, hit);
      }
      return hit;
    },
    set(key: string, value: CachedResponse): void {
      const size = sizeOf(key, value);
      if (size > maxBytes) return;
      const previous = entries.get(key);
      if (previous) {
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

export type ResponseCache = ReturnType<typeof createResponseCache>;
