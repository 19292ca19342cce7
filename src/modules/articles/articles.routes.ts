import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicRead, sendJson, setSurrogateKeys } from '../../http/caching.js';
import { SlugParamsSchema } from '../../http/common.schemas.js';
import { problemResponses } from '../../http/errors.js';
import { always, location } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { ArticleListQuerySchema, ArticleListSchema, ArticleSchema } from './articles.schemas.js';
import { getPublicArticle, listPublicArticleSummaries } from './articles.service.js';

const MovedSchema = z.null().describe('The article moved: follow the Location header');

export const publicArticleRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/articles',
    publicRead({
      operationId: 'listArticles',
      tags: ['articles'],
      summary: 'Published articles, newest first',
      querystring: ArticleListQuerySchema,
      response: { 200: ArticleListSchema, ...problemResponses(400) },
    }),
    async (request, reply) => {
      const page = await listPublicArticleSummaries({ db: db.read, now: now(), ...request.query });
      setSurrogateKeys(reply, ['articles', ...page.articleIds.flatMap((id) => [`article-${id}`, `comments-${id}`])]);
      return sendJson(reply, page.json);
    },
  );

  routes.get(
    '/articles/:slug',
    publicRead(
      {
        operationId: 'getArticle',
        tags: ['articles'],
        summary: 'One published article, whole',
        params: SlugParamsSchema,
        response: { 200: ArticleSchema, 301: MovedSchema, ...problemResponses(400, 404) },
      },
      {
        301: {
          ...location('The current URL of the article'),
          'Cache-Control': always('Caching policy, as on the article'),
        },
      },
    ),
    async (request, reply) => {
      const result = await getPublicArticle({ db: db.read, slug: request.params.slug, now: now() });
      // A redirect is not a representation to revalidate: no validator, so no 304 for it.
      if (result.kind === 'moved') return reply.removeHeader('etag').redirect(`/v1/articles/${result.slug}`, 301);
      const { articleId, productIds } = result;
      setSurrogateKeys(reply, [
        `article-${articleId}`,
        `comments-${articleId}`,
        ...productIds.map((id) => `product-${id}`),
      ]);
      return sendJson(reply, result.json);
    },
  );
};
