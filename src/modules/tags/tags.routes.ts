import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { publicRead, setSurrogateKeys } from '../../http/caching.js';
import { SlugParamsSchema } from '../../http/common.schemas.js';
import { problemResponses } from '../../http/errors.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { TagListQuerySchema, TagListSchema, TagSummarySchema } from './tags.schemas.js';
import { getTag, listTags } from './tags.service.js';

const present = ({ slug, name, articleCount }: { slug: string; name: string; articleCount: number }) => ({
  slug,
  name,
  articleCount,
});

export const publicTagRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/tags',
    publicRead({
      operationId: 'listTags',
      tags: ['articles'],
      summary: 'Tags that have published articles, by slug, each with its number of published articles',
      querystring: TagListQuerySchema,
      response: { 200: TagListSchema, ...problemResponses(400) },
    }),
    async (request, reply) => {
      const page = await listTags({ db: db.read, now: now(), ...request.query });
      // Counts move with any article's publication: the whole list is purged with the articles.
      setSurrogateKeys(reply, ['articles', ...page.rows.map((t) => `tag-${t.id}`)]);
      return { data: page.rows.map(present), meta: page.meta };
    },
  );

  routes.get(
    '/tags/:slug',
    publicRead({
      operationId: 'getTag',
      tags: ['articles'],
      summary: 'One tag with its number of published articles; 404 when unknown or without published articles',
      params: SlugParamsSchema,
      response: { 200: TagSummarySchema, ...problemResponses(400, 404) },
    }),
    async (request, reply) => {
      const tag = await getTag({ db: db.read, now: now(), slug: request.params.slug });
      setSurrogateKeys(reply, ['articles', `tag-${tag.id}`]);
      return present(tag);
    },
  );
};
