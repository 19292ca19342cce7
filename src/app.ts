import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { DatabaseHandles } from './db/client.js';
import { groupCommitsSettled, groupCommitWaiting } from './db/group-commit.js';
import { installAuth } from './http/auth.js';
import { createPublicCache, installPublicCaching, type PublicCache } from './http/caching.js';
import { clientAddress } from './http/client-address.js';
import { consoleRoutes } from './http/console.js';
import { AppError, installProblemHandlers, sendClientErrorProblem, sendFrameworkProblem } from './http/errors.js';
import { type FastLaneObserver, fastLaneServerFactory } from './http/fast-lane.js';
import { healthRoutes } from './http/health.js';
import { installJsonBodyParser } from './http/json-body.js';
import { createMetrics, installMetrics, type Metrics } from './http/metrics.js';
import { registerOpenApi } from './http/openapi.js';
import { createRedis } from './http/redis.js';
import { createRequestIds, logFastLaneAnswer } from './http/request-log.js';
import type { RouteDeps } from './http/route-deps.js';
import { installUpkeep } from './http/upkeep.js';
import { adminArticleRoutes } from './modules/articles/articles.admin.routes.js';
import { adminPreviewRoutes, previewRoutes } from './modules/articles/articles.preview.routes.js';
import { publicArticleRoutes } from './modules/articles/articles.routes.js';
import { announceDuePublications } from './modules/articles/publications.js';
import { changeRoutes } from './modules/changes/changes.routes.js';
import { pruneChanges } from './modules/changes/changes.service.js';
import { adminCommentBlockRoutes } from './modules/comments/comment-blocks.routes.js';
import { adminCommentRoutes } from './modules/comments/comments.admin.routes.js';
import { publicCommentRoutes } from './modules/comments/comments.routes.js';
import { getInstanceSecret } from './modules/content/content.repository.js';
import { feedRoutes, sitemapRoutes } from './modules/feeds/feeds.routes.js';
import { adminKeyRoutes } from './modules/keys/keys.routes.js';
import { adminProductRoutes } from './modules/products/products.admin.routes.js';
import { publicProductRoutes } from './modules/products/products.routes.js';
import { purgeJob } from './modules/purge/purge.job.js';
import { adminSiteRoutes } from './modules/site/site.admin.routes.js';
import { siteRoutes } from './modules/site/site.routes.js';
import { publicTagRoutes } from './modules/tags/tags.routes.js';
import {
  DEFAULT_DISPATCH_POLICY,
  type DispatchPolicy,
  fanOutEvents,
  sendDueDeliveries,
} from './modules/webhooks/webhooks.dispatch.js';
import { adminWebhookRoutes } from './modules/webhooks/webhooks.routes.js';
import { type Background, startBackground } from './workers/background.js';

export interface BuildOptions {
  /** An opened, migrated database (src/db/client.ts openDatabase); the app closes it on close. */
  db: DatabaseHandles;
  /** The clock every visibility rule reads; tests inject one to move time. */
  now?: () => Date;
  /**
   * Background work (webhook deliveries, CDN purges) on timers and after each write; default on.
   * Off, the jobs run only when `app.background.drain()` is called (tests drive them that way).
   */
  background?: boolean;
  /** Webhook timing, shortened by tests. */
  dispatch?: Partial<Omit<DispatchPolicy, 'allowPrivate'>>;
  /** Where log lines go (default stdout); tests read them from here. */
  logStream?: { write(line: string): void };
}

declare module 'fastify' {
  interface FastifyInstance {
    db: DatabaseHandles;
    publicCache: PublicCache;
    background: Background;
  }
}

// Scheduled articles are announced (article.published) at most this long after their date.
const UPKEEP_INTERVAL_MS = 15_000;

const EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After'];
// What @fastify/cors adds to every response with the options below; the fast lane sends the same.
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
};

/** Webhook deliveries and CDN purges from the outbox, woken by every successful write. */
function installBackground(app: FastifyInstance, config: Config, options: BuildOptions, now: () => Date): void {
  const { db } = options;
  const policy: DispatchPolicy = {
    ...DEFAULT_DISPATCH_POLICY,
    timeoutMs: config.webhookTimeoutMs,
    ...options.dispatch,
    allowPrivate: config.webhookAllowPrivate,
  };
  const on = options.background ?? true;
  const background = startBackground({
    jobs: [
      { name: 'webhook-fan-out', run: () => fanOutEvents({ db }) },
      { name: 'webhook-send', run: () => sendDueDeliveries({ db, policy, now }) },
      purgeJob({ db, urls: config.purgeUrls, timeoutMs: policy.timeoutMs }),
    ],
    pollMs: on ? 1000 : null,
    log: app.log,
  });
  app.decorate('background', background);
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) background.wake();
  });
  // Before the database closes: a round in progress finishes, no new one starts.
  app.addHook('preClose', async () => background.stop());
}

/** Counts every answer the fast lane writes, and logs it (or a sample) as Fastify logs the rest. */
function observeFastLane(
  metrics: Metrics,
  log: () => FastifyInstance['log'],
  nextRequestId: () => string,
  sampleRate: number,
): FastLaneObserver {
  return (request, status, startedAt) => {
    metrics.countFastLane(status);
    metrics.countCacheLookup(status === 304 ? 'not_modified' : 'hit');
    if (sampleRate === 0 || (sampleRate < 1 && Math.random() >= sampleRate)) return;
    logFastLaneAnswer(log(), nextRequestId(), request, status, performance.now() - startedAt, sampleRate);
  };
}

/** Builds the whole application from a config; never reads process.env. */
export async function buildApp(config: Config, options: BuildOptions): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const { db } = options;
  const etagSecret = await getInstanceSecret({ db: db.read, name: 'etag-secret' });
  if (!etagSecret) throw new Error('instance secret etag-secret is missing; run the migrations');
  // Writes waiting for a group commit's batch wait for their turn too.
  const metrics = createMetrics(() => {
    const stats = db.stats();
    return { ...stats, writerQueueDepth: stats.writerQueueDepth + groupCommitWaiting(db) };
  });
  const publicCache = createPublicCache({
    db: db.read,
    contentVersion: db.contentVersion,
    now,
    cacheControl: config.cacheControl,
    cacheBytes: config.responseCacheBytes,
    etagSecret,
  });
  const nextRequestId = createRequestIds();
  // Fastify logs each request at info: below that level, the fast lane has nothing to log either.
  const logsRequests = ['info', 'debug', 'trace'].includes(config.logLevel);
  const fastLane = observeFastLane(metrics, () => app.log, nextRequestId, logsRequests ? config.logFastLaneSample : 0);
  const app: FastifyInstance = Fastify({
    serverFactory: fastLaneServerFactory(publicCache, CORS_HEADERS, fastLane),
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
      ...(options.logStream && { stream: options.logStream }),
    },
    genReqId: nextRequestId,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    trustProxy: config.trustProxy === false ? false : config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    frameworkErrors: sendFrameworkProblem,
    clientErrorHandler: sendClientErrorProblem,
    return503OnClosing: false,
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installJsonBodyParser(app);
  installProblemHandlers(app);

  app.decorate('db', db);
  app.decorate('publicCache', publicCache);
  // Submissions already queued are written first: their clients may be gone, but a batch may have them half-way.
  app.addHook('onClose', async () => {
    await groupCommitsSettled(db);
    await db.close();
  });

  // Any origin: public reads are open and management uses bearer keys, never cookies.
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  // With REDIS_URL every process counts in one place; without it each process counts alone.
  const shared = config.redisUrl ? createRedis(config.redisUrl, app.log) : undefined;
  if (shared) app.addHook('onClose', async () => void shared.redis.disconnect());
  // Off by default: only routes that ask for a limit (comment submission) pay for one.
  await app.register(rateLimit, {
    global: false,
    ...(shared && { redis: shared.redis, nameSpace: `${config.redisPrefix}comments:`, skipOnError: true }),
    keyGenerator: clientAddress,
    errorResponseBuilder: (_request, context) =>
      new AppError({
        status: 429,
        code: 'rate_limited',
        title: 'Too Many Requests',
        detail: `Too many submissions from your address; retry in ${context.after}.`,
      }),
  });
  await registerOpenApi(app);
  installMetrics(app, metrics, config.metricsToken);
  installAuth(app, {
    db,
    now,
    failureLimit: config.authFailureLimit,
    ...(shared && { redis: { shared, prefix: config.redisPrefix } }),
  });
  installPublicCaching(app, publicCache, metrics.countCacheLookup);
  installUpkeep(app, {
    intervalMs: UPKEEP_INTERVAL_MS,
    tasks: [
      { name: 'announce-publications', run: () => announceDuePublications({ db, now: now() }) },
      {
        name: 'prune-changes',
        run: () => pruneChanges({ db, now: now(), retentionDays: config.changesRetentionDays }),
      },
    ],
  });

  const deps: RouteDeps = { db, now, config };
  await app.register(healthRoutes, deps);
  await app.register(consoleRoutes);
  await app.register(siteRoutes, { ...deps, prefix: '/v1' });
  await app.register(publicArticleRoutes, { ...deps, prefix: '/v1' });
  await app.register(publicCommentRoutes, { ...deps, prefix: '/v1' });
  await app.register(publicProductRoutes, { ...deps, prefix: '/v1' });
  await app.register(publicTagRoutes, { ...deps, prefix: '/v1' });
  await app.register(feedRoutes, { ...deps, prefix: '/v1' });
  await app.register(changeRoutes, { ...deps, prefix: '/v1' });
  await app.register(previewRoutes, { ...deps, prefix: '/v1' });
  await app.register(sitemapRoutes, deps);
  await app.register(adminArticleRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminPreviewRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminProductRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminCommentRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminCommentBlockRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminKeyRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminSiteRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminWebhookRoutes, { ...deps, prefix: '/v1/admin' });
  installBackground(app, config, options, now);
  return app;
}
