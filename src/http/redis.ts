import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';

// A warning per outage is enough: a down Redis would otherwise log on every request.
const WARN_INTERVAL_MS = 30_000;

/**
 * The Redis client rate limits count in, shared by every process. Commands never queue while it is
 * down (they fail at once, and the limits fail open), and the client keeps reconnecting with back-off.
 */
export function createRedis(url: string, log: FastifyBaseLogger) {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let lastWarning = 0;
  const warn = (err: unknown, msg: string) => {
    const at = Date.now();
    if (at - lastWarning < WARN_INTERVAL_MS) return;
    lastWarning = at;
    log.warn({ err }, msg);
  };
  redis.on('error', (err) => warn(err, 'Redis unavailable: rate limits are not enforced until it answers'));
  redis.on('ready', () => log.info('Redis connected: rate limits count across processes'));
  return { redis, warn };
}

export type SharedRedis = ReturnType<typeof createRedis>;
