import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { problemResponses } from '../../http/errors.js';
import { always, responseHeaders } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { ChangePageSchema, ChangesQuerySchema } from './changes.schemas.js';
import { listChanges } from './changes.service.js';

const NO_STORE = { 'Cache-Control': always('no-store: the feed moves with every write; poll it, never cache it') };

export const changeRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/changes',
    {
      schema: {
        operationId: 'listChanges',
        tags: ['changes'],
        summary:
          'Public content changes in commit order (articles, products, site, approved comments), to keep a frontend or search index in sync',
        querystring: ChangesQuerySchema,
        response: { 200: ChangePageSchema, ...problemResponses(400, 410) },
        ...responseHeaders({ '*': NO_STORE }),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return listChanges({ db }, request.query);
    },
  );
};
