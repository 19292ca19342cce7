import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { publicRead, setSurrogateKeys } from '../../http/caching.js';
import { notFound, problemResponses } from '../../http/errors.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { getSite } from './site.repository.js';
import { SiteSchema } from './site.schemas.js';

export const siteRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/site',
    publicRead({
      operationId: 'getSite',
      tags: ['site'],
      summary: 'The site: name, description, URL and announcement',
      response: { 200: SiteSchema, ...problemResponses(404) },
    }),
    async (_request, reply) => {
      const found = await getSite({ db: db.read });
      if (!found) throw notFound('The site has not been configured yet.');
      setSurrogateKeys(reply, ['site']);
      return found;
    },
  );
};
