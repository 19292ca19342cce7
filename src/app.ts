import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { isEmptyDatabase, seedSampleContent } from '../seeds/load.js';
import type { Config } from './config.js';
import { type DatabaseHandles, openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { installAuth } from './http/auth.js';
import { createPublicCache, installPublicCaching } from './http/caching.js';
import { AppError, installProblemHandlers, sendFrameworkProblem } from './http/errors.js';
import { fastLaneServerFactory } from './http/fast-lane.js';
import { healthRoutes } from './http/health.js';
import { registerOpenApi } from './http/openapi.js';
import type { RouteDeps } from './http/route-deps.js';
import { adminArticleRoutes } from './modules/articles/articles.admin.routes.js';
import { publicArticleRoutes } from './modules/articles/articles.routes.js';
import { adminCommentRoutes } from './modules/comments/comments.admin.routes.js';
import { publicCommentRoutes } from './modules/comments/comments.routes.js';
import { feedRoutes, sitemapRoutes } from './modules/feeds/feeds.routes.js';
import { adminKeyRoutes } from './modules/keys/keys.routes.js';
import { adminProductRoutes } from './modules/products/products.admin.routes.js';
import { publicProductRoutes } from './modules/products/products.routes.js';
import { adminSiteRoutes } from './modules/site/site.admin.routes.js';
import { siteRoutes } from './modules/site/site.routes.js';

export interface BuildOptions {
  /** The clock every visibility rule reads; tests inject one to move time. */
  now?: () => Date;
  /** Sees every SQL statement run; for measuring, never for behaviour. */
  traceSql?: (sql: string) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: DatabaseHandles;
  }
}

const EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After'];
// What @fastify/cors adds to every response with the options below; the fast lane sends the same.
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
};

/** Action endpoints take no body or {}: an empty body sent as JSON is read as no body, not an error. */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });
}

/** Builds the whole application from a config; never reads process.env. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const db = openDatabase({
    url: config.databaseUrl,
    synchronous: config.sqliteSynchronous,
    ...(options.traceSql ? { trace: options.traceSql } : {}),
  });
  const publicCache = createPublicCache({
    db: db.read,
    now,
    cacheControl: config.cacheControl,
    cacheBytes: config.responseCacheBytes,
  });
  const app = Fastify({
    serverFactory: fastLaneServerFactory(publicCache, CORS_HEADERS),
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
    },
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    trustProxy: config.trustProxy === false ? false : config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    frameworkErrors: sendFrameworkProblem,
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  acceptEmptyJsonBodies(app);
  installProblemHandlers(app);

  app.decorate('db', db);
  app.addHook('onClose', async () => db.close());
  await migrateDatabase(db.migrator);
  if (config.seedOnEmpty && (await isEmptyDatabase({ db: db.read }))) {
    await seedSampleContent({ withTransaction: db.withTransaction, now: now() });
  }

  // Any origin: public reads are open and management uses bearer keys, never cookies.
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  // Off by default: only routes that ask for a limit (comment submission) pay for one.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError({
        status: 429,
        code: 'rate_limited',
        title: 'Too Many Requests',
        detail: `Too many submissions from your address; retry in ${context.after}.`,
      }),
  });
  await registerOpenApi(app);
  installAuth(app, { db, now });
  installPublicCaching(app, publicCache);

  const deps: RouteDeps = { db, now, config };
  await app.register(healthRoutes, deps);
  await app.register(siteRoutes, { ...deps, prefix: '/v1' });
  await app.register(publicArticleRoutes, { ...deps, prefix: '/v1' });
  await app.register(publicCommentRoutes, { ...deps, prefix: '/v1' });
  await app.register(publicProductRoutes, { ...deps, prefix: '/v1' });
  await app.register(feedRoutes, { ...deps, prefix: '/v1' });
  await app.register(sitemapRoutes, deps);
  await app.register(adminArticleRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminProductRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminCommentRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminKeyRoutes, { ...deps, prefix: '/v1/admin' });
  await app.register(adminSiteRoutes, { ...deps, prefix: '/v1/admin' });
  return app;
}
