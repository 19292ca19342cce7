import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentVersionOf, publicRead, sendJson, setSurrogateKeys } from '../../http/caching.js';
import { SlugParamsSchema } from '../../http/common.schemas.js';
import { badRequest, problemResponses } from '../../http/errors.js';
import { always, location } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { createPresenter, createPublicBaseReader } from '../render/present.js';
import { type Format, wantsHtml } from '../render/render.schemas.js';
import {
  type ArticleListQuery,
  ArticleListQuerySchema,
  ArticleListSchema,
  ArticleQuerySchema,
  ArticleSchema,
} from './articles.schemas.js';
import { getPublicArticle, listPublicArticleSummaries, searchPublicArticleSummaries } from './articles.service.js';

/** A search takes paging only: its order is relevance, and filters are not combined with it. */
function onlyPaging({ limit, cursor, ...rest }: ArticleListQuery) {
  const others = Object.keys(rest).filter((key) => key !== 'q' && key !== 'format');
  if (others.length > 0)
    throw badRequest(
      'A search (q) takes only limit and cursor.',
      others.map((key) => ({ location: 'query', pointer: `/${key}`, message: 'Not with q' })),
    );
  return { limit, cursor };
}

const MovedSchema = z.null().describe('The article moved: follow the Location header');

export const publicArticleRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now, config }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const present = createPresenter();
  const publicBase = createPublicBaseReader({ config, db: db.read });
  const presentation = async (request: FastifyRequest, format: Format) => ({
    html: wantsHtml(format),
    base: await publicBase(contentVersionOf(request)),
  });

  routes.get(
    '/articles',
    publicRead({
      operationId: 'listArticles',
      tags: ['articles'],
      summary: 'Published articles, newest first; or those matching a search (q), most relevant first',
      querystring: ArticleListQuerySchema,
      response: { 200: ArticleListSchema, ...problemResponses(400) },
    }),
    async (request, reply) => {
      const { format, q, count, ...query } = request.query;
      const page =
        q === undefined
          ? await listPublicArticleSummaries({ db: db.read, now: now(), ...query, count: count === 'true' })
          : await searchPublicArticleSummaries({
              db: db.read,
              now: now(),
              q,
              rankWindow: config.searchRankWindow,
              ...onlyPaging(request.query),
            });
      setSurrogateKeys(reply, ['articles', ...page.articleIds.flatMap((id) => [`article-${id}`, `comments-${id}`])]);
      return sendJson(reply, present(page.json, 'articleList', await presentation(request, format)));
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
        querystring: ArticleQuerySchema,
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
      return sendJson(reply, present(result.json, 'article', await presentation(request, request.query.format)));
    },
  );
};
