import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseStats } from '../db/client.js';
import { AppError } from './errors.js';

export type CacheLookupResult = 'hit' | 'not_modified' | 'miss';

/** Prometheus metrics for this process: requests by route and status, cache lookups, fast-lane answers, database trouble. */
export function createMetrics(databaseStats: () => DatabaseStats = () => ({ writerQueueDepth: 0, busyRetries: 0 })) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'quire_' });
  const requests = new Counter({
    name: 'quire_http_requests_total',
    help: 'Requests answered, by route (the route pattern, not the URL), method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'quire_http_request_duration_seconds',
    help: 'Time from request to response, by route and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const fastLane = new Counter({
    name: 'quire_fast_lane_answers_total',
    help: 'Public answers written from memory before Fastify (cache hits and 304s), by status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const lookups = new Counter({
    name: 'quire_public_cache_lookups_total',
    help: 'Public reads looked up in memory, by result: hit (cached bytes), not_modified (a 304) or miss (built by its route)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const database = new Counter({
    name: 'quire_database_refusals_total',
    help: 'Requests answered 503 because the database was busy (a lock held elsewhere), unavailable or full',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  // Read from the database handles when scraped: nothing to keep in step on the write path.
  new Gauge({
    name: 'quire_database_writer_queue_depth',
    help: 'Writes waiting for their turn (SQLite: the writer queue; PostgreSQL: callers waiting for a connection)',
    registers: [registry],
    collect() {
      this.set(databaseStats().writerQueueDepth);
    },
  });
  new Counter({
    name: 'quire_database_busy_retries_total',
    help: 'Writes retried because the database was busy (a lock held by another process, a serialization failure)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(databaseStats().busyRetries);
    },
  });
  return {
    registry,
    /** Called by the fast lane for each answer it writes itself (counting costs one increment). */
    countFastLane: (status: number) => fastLane.inc({ status: String(status) }),
    /** Called once per public read, by whichever lane settled it. */
    countCacheLookup: (result: CacheLookupResult) => lookups.inc({ result }),
    observe(request: FastifyRequest, reply: FastifyReply) {
      const labels = {
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status: String(reply.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    },
    countRefusal: (code: string) => database.inc({ code }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * `GET /metrics` in Prometheus text format, only with `Authorization: Bearer <METRICS_TOKEN>`;
 * without a configured token the route does not exist (404), so nothing leaks by default.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics, token: string | null): void {
  app.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));
  app.addHook('onError', async (_request, _reply, error) => {
    if (error instanceof AppError && error.status === 503) metrics.countRefusal(error.code);
  });
  if (!token) return;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${token}`) {
      throw new AppError({
        status: 401,
        code: 'unauthorized',
        title: 'Unauthorized',
        detail: 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".',
        headers: { 'www-authenticate': 'Bearer realm="quire-metrics"' },
      });
    }
    reply.header('cache-control', 'no-store').type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
