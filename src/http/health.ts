import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, problemResponses } from './errors.js';
import { NO_STORE, responseHeaders } from './response-headers.js';
import type { RouteDeps } from './route-deps.js';

const StatusSchema = z.object({ status: z.literal('ok') }).meta({ id: 'HealthStatus' });

export const healthRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
    '/healthz',
    {
      schema: {
        operationId: 'getLiveness',
        tags: ['health'],
        summary: 'The process is alive',
        response: { 200: StatusSchema, ...problemResponses() },
        ...responseHeaders({ 200: NO_STORE }),
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' as const };
    },
  );
  routes.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'The database is reachable',
        response: { 200: StatusSchema, ...problemResponses(503) },
        ...responseHeaders({ 200: NO_STORE }),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        await db.ping();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new AppError({
          status: 503,
          code: 'not_ready',
          title: 'Service Unavailable',
          detail: 'The database is not reachable.',
        });
      }
      return { status: 'ok' as const };
    },
  );
};
