import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { managementRoute } from '../../http/auth.js';
import { IdParamsSchema } from '../../http/common.schemas.js';
import { ARTICLE_ETAG, location } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import {
  type AdminArticle,
  AdminArticleListQuerySchema,
  AdminArticleListSchema,
  AdminArticleSchema,
  ArticleCreateSchema,
  ArticlePatchSchema,
  ArticleProductsPutSchema,
  EmptyActionSchema,
  PublishSchema,
  RedirectParamsSchema,
  SectionCreateSchema,
  SectionPatchSchema,
  TipCreateSchema,
  TipPatchSchema,
} from './articles.admin.schemas.js';
import {
  addSection,
  addTip,
  articleEtag,
  createArticle,
  getAdminArticle,
  listAdminArticles,
  patchArticle,
  patchSection,
  patchTip,
  publishArticle,
  releaseRedirect,
  removeArticle,
  removeSection,
  removeTip,
  setArticleProducts,
  unpublishArticle,
} from './articles.admin.service.js';

const EDITORS = ['admin', 'editor'] as const;
const IfMatchHeaders = z.object({
  'if-match': z.string().optional().describe('The ETag of your last read; a stale one gets 412'),
});
const NoContent = z.null().describe('Done');

const editorial = managementRoute(EDITORS, 'admin-articles');
// A section or tip is edited through its article: the article is what answers a GET, with the ETag to send back.
const HOLDING_ARTICLE = 'The article now holding it, which answers GET with this very body and ETag';

function sendArticle(reply: FastifyReply, article: AdminArticle, status = 200) {
  return reply.code(status).header('etag', articleEtag(article)).send(article);
}

const writeContext = (deps: RouteDeps, request: FastifyRequest) => ({
  db: deps.db,
  now: deps.now(),
  ifMatch: request.headers['if-match'],
});

export const adminArticleRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const readContext = () => ({ db: deps.db, now: deps.now() });

  routes.get(
    '/articles',
    editorial(
      'adminListArticles',
      'Every article, newest first; status is derived',
      { querystring: AdminArticleListQuerySchema, response: { 200: AdminArticleListSchema } },
      [400],
    ),
    async (request) => listAdminArticles(readContext(), request.query),
  );

  routes.post(
    '/articles',
    editorial(
      'adminCreateArticle',
      'Create a draft article with its sections and tips in one request',
      { body: ArticleCreateSchema, response: { 201: AdminArticleSchema } },
      [400, 409, 422],
      { 201: { ...ARTICLE_ETAG, ...location('The created article') } },
    ),
    async (request, reply) => {
      const article = await createArticle(readContext(), request.body);
      reply.header('location', `/v1/admin/articles/${article.id}`);
      return sendArticle(reply, article, 201);
    },
  );

  routes.get(
    '/articles/:id',
    editorial(
      'adminGetArticle',
      'One article, whole, with its ETag',
      { params: IdParamsSchema, response: { 200: AdminArticleSchema } },
      [400, 404],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) => sendArticle(reply, await getAdminArticle(readContext(), request.params.id)),
  );

  routes.patch(
    '/articles/:id',
    editorial(
      'adminUpdateArticle',
      'Change an article (merge); a new slug keeps the old one as a 301',
      {
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        body: ArticlePatchSchema,
        response: { 200: AdminArticleSchema },
      },
      [400, 404, 409, 412, 422],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) =>
      sendArticle(reply, await patchArticle(writeContext(deps, request), request.params.id, request.body)),
  );

  routes.delete(
    '/articles/:id',
    editorial(
      'adminDeleteArticle',
      'Delete an article that has no comments',
      { params: IdParamsSchema, headers: IfMatchHeaders, response: { 204: NoContent } },
      [400, 404, 409, 412],
    ),
    async (request, reply) => {
      await removeArticle(writeContext(deps, request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  routes.post(
    '/articles/:id/publish',
    editorial(
      'adminPublishArticle',
      'Publish now, or schedule with a future publishedAt',
      { params: IdParamsSchema, headers: IfMatchHeaders, body: PublishSchema, response: { 200: AdminArticleSchema } },
      [400, 404, 412, 422],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) =>
      sendArticle(
        reply,
        await publishArticle(writeContext(deps, request), request.params.id, request.body?.publishedAt),
      ),
  );

  routes.post(
    '/articles/:id/unpublish',
    editorial(
      'adminUnpublishArticle',
      'Back to draft: hidden from the public API',
      {
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        body: EmptyActionSchema,
        response: { 200: AdminArticleSchema },
      },
      [400, 404, 412],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) =>
      sendArticle(reply, await unpublishArticle(writeContext(deps, request), request.params.id)),
  );

  routes.put(
    '/articles/:id/products',
    editorial(
      'adminSetArticleProducts',
      "Replace the article's product links, in display order",
      {
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        body: ArticleProductsPutSchema,
        response: { 200: AdminArticleSchema },
      },
      [400, 404, 412, 422],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) =>
      sendArticle(reply, await setArticleProducts(writeContext(deps, request), request.params.id, request.body)),
  );

  routes.delete(
    '/redirects/:slug',
    editorial(
      'adminReleaseRedirect',
      'Stop an old slug redirecting, so another article may take it',
      { params: RedirectParamsSchema, response: { 204: NoContent } },
      [400, 404],
    ),
    async (request, reply) => {
      await releaseRedirect(deps, request.params.slug);
      return reply.code(204).send(null);
    },
  );

  routes.post(
    '/articles/:id/sections',
    editorial(
      'adminCreateSection',
      'Add a section (with tips) at a position; answers with the whole article',
      {
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        body: SectionCreateSchema,
        response: { 201: AdminArticleSchema },
      },
      [400, 404, 412, 422],
      { 201: { ...ARTICLE_ETAG, ...location(HOLDING_ARTICLE) } },
    ),
    async (request, reply) => {
      const { article } = await addSection(writeContext(deps, request), request.params.id, request.body);
      reply.header('location', `/v1/admin/articles/${article.id}`);
      return sendArticle(reply, article, 201);
    },
  );

  routes.patch(
    '/sections/:id',
    editorial(
      'adminUpdateSection',
      'Change or move a section; answers with the whole article',
      {
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        body: SectionPatchSchema,
        response: { 200: AdminArticleSchema },
      },
      [400, 404, 412, 422],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) =>
      sendArticle(reply, await patchSection(writeContext(deps, request), request.params.id, request.body)),
  );

  routes.delete(
    '/sections/:id',
    editorial(
      'adminDeleteSection',
      'Delete a section and its tips; answers with the whole article',
      { params: IdParamsSchema, headers: IfMatchHeaders, response: { 200: AdminArticleSchema } },
      [400, 404, 412],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) => sendArticle(reply, await removeSection(writeContext(deps, request), request.params.id)),
  );

  routes.post(
    '/sections/:id/tips',
    editorial(
      'adminCreateTip',
      'Add a tip at a position; answers with the whole article',
      { params: IdParamsSchema, headers: IfMatchHeaders, body: TipCreateSchema, response: { 201: AdminArticleSchema } },
      [400, 404, 412, 422],
      { 201: { ...ARTICLE_ETAG, ...location(HOLDING_ARTICLE) } },
    ),
    async (request, reply) => {
      const { article } = await addTip(writeContext(deps, request), request.params.id, request.body);
      reply.header('location', `/v1/admin/articles/${article.id}`);
      return sendArticle(reply, article, 201);
    },
  );

  routes.patch(
    '/tips/:id',
    editorial(
      'adminUpdateTip',
      'Change or move a tip; answers with the whole article',
      { params: IdParamsSchema, headers: IfMatchHeaders, body: TipPatchSchema, response: { 200: AdminArticleSchema } },
      [400, 404, 412, 422],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) =>
      sendArticle(reply, await patchTip(writeContext(deps, request), request.params.id, request.body)),
  );

  routes.delete(
    '/tips/:id',
    editorial(
      'adminDeleteTip',
      'Delete a tip; answers with the whole article',
      { params: IdParamsSchema, headers: IfMatchHeaders, response: { 200: AdminArticleSchema } },
      [400, 404, 412],
      { 200: ARTICLE_ETAG },
    ),
    async (request, reply) => sendArticle(reply, await removeTip(writeContext(deps, request), request.params.id)),
  );
};
