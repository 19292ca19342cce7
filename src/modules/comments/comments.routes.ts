import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { setSurrogateKeys } from '../../http/caching.js';
import { PageQuerySchema, SlugParamsSchema } from '../../http/common.schemas.js';
import { problemResponses } from '../../http/errors.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { PublicCommentListSchema } from './comments.schemas.js';
import { getPublicThread } from './comments.service.js';

export const publicCommentRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/articles/:slug/comments',
    {
      config: { publicCache: true },
      schema: {
        operationId: 'listArticleComments',
        tags: ['comments'],
        summary: 'Approved comments of a published article, oldest first, each with its approved replies',
        params: SlugParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: PublicCommentListSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { articleId, ...page } = await getPublicThread({ db: db.read, slug: request.params.slug, now: now(), ...request.query });
      setSurrogateKeys(reply, [`comments-${articleId}`]);
      return page;
    },
  );
};
