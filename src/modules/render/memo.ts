/**
 * A least-recently-used map of strings within a byte budget. Keys hold the exact input bytes of a
 * rendering, so an entry can never be stale: changed content is a different key.
 */
export function createMemo(maxBytes: number) {
  const entries = new Map<string, string>();
  let bytes = 0;
  return {
    get(key: string): string | undefined {
      const hit = entries.get(key);
      if (hit !== undefined) {
        // Re-inserting moves the entry to the end: the front is always the least recently used.
        entries.delete(key);
        entries.set(key, hit);
      }
      return hit;
    },
    set(key: string, value: string): void {
      const size = key.length + value.length;
      if (size > maxBytes || entries.has(key)) return;
      for (const [oldKey, oldValue] of entries) {
        if (bytes + size <= maxBytes) break;
        entries.delete(oldKey);
        bytes -= oldKey.length + oldValue.length;
      }
      entries.set(key, value);
      bytes += size;
    },
  };
}
