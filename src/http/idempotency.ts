import { ruleViolation } from './errors.js';

interface Entry {
  fingerprint: string;
  result: Promise<unknown>;
  expiresAt: number;
}

/**
 * Remembers the answer to a request sent with an `Idempotency-Key`, per API key, so a retry gets the
 * same answer instead of running again. In process memory: it holds for retries reaching the same
 * process (one process, or a sticky load balancer), for `ttlMs`, at most `capacity` keys.
 */
export function createIdempotencyStore({ ttlMs = 24 * 3600_000, capacity = 10_000 } = {}) {
  const entries = new Map<string, Entry>();
  return {
    async run<T>(scope: string, key: string | undefined, body: unknown, nowMs: number, work: () => Promise<T>) {
      if (key === undefined) return work();
      const id = `${scope}\u0000${key}`;
      const fingerprint = JSON.stringify(body);
      const known = entries.get(id);
      if (known && known.expiresAt > nowMs) {
        if (known.fingerprint !== fingerprint)
          throw ruleViolation('This Idempotency-Key was already used with a different request body.', [
            { location: 'headers', pointer: '/idempotency-key', message: 'Reused with another body' },
          ]);
        return known.result as Promise<T>;
      }
      const result = work();
      entries.delete(id);
      entries.set(id, { fingerprint, result, expiresAt: nowMs + ttlMs });
      // A failed attempt is not remembered: the retry runs again.
      result.catch(() => entries.delete(id));
      if (entries.size > capacity) entries.delete(entries.keys().next().value!);
      return result;
    },
  };
}
