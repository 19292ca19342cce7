import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { managementRoute } from '../../http/auth.js';
import { sendJson } from '../../http/caching.js';
import { IdParamsSchema, TimestampSchema } from '../../http/common.schemas.js';
import { problemResponses } from '../../http/errors.js';
import { always, responseHeaders } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { getInstanceSecret } from '../content/content.repository.js';
import { createPreviewLink, readPreview, revokePreviewLinks } from './articles.preview.js';
import { ArticleSchema } from './articles.schemas.js';

const PreviewLinkSchema = z
  .object({
    token: z.string().describe('Send as `Authorization: Preview <token>`, or as ?token='),
    url: z.string().describe('The preview URL on this API, token included, for a frontend to open'),
    expiresAt: TimestampSchema,
  })
  .meta({ id: 'PreviewLink' });

const PreviewArticleSchema = ArticleSchema.extend({
  publishedAt: TimestampSchema.nullable().describe('null for a draft'),
}).meta({ id: 'PreviewArticle' });

const PreviewQuerySchema = z
  .object({ token: z.string().min(1).max(500).optional().describe('The preview token, for a link a browser opens') })
  .strict();

const PRIVATE = { 'Cache-Control': always('private, no-store: a preview is never cached, and has no ETag') };
const CHALLENGE = { 'WWW-Authenticate': always('Preview realm="quire"') };

const editorial = managementRoute(['admin', 'editor'] as const, 'admin-articles');

async function previewSecret(deps: RouteDeps): Promise<string> {
  const secret = await getInstanceSecret({ db: deps.db.read, name: 'preview-secret' });
  if (!secret) throw new Error('instance secret preview-secret is missing; run the migrations');
  return secret;
}

/** Editors make and revoke preview links (under /v1/admin). */
export const adminPreviewRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.post(
    '/articles/:id/preview',
    editorial(
      'adminCreatePreviewLink',
      `A signed link to the article as it is now (draft or not), valid for PREVIEW_TTL (${deps.config.previewTtlSeconds} s here)`,
      { params: IdParamsSchema, response: { 200: PreviewLinkSchema } },
      [400, 404],
    ),
    async (request) =>
      createPreviewLink({
        db: deps.db.read,
        secret: await previewSecret(deps),
        id: request.params.id,
        now: deps.now(),
        ttlSeconds: deps.config.previewTtlSeconds,
      }),
  );
  routes.delete(
    '/articles/:id/preview',
    editorial(
      'adminRevokePreviewLinks',
      'Revoke every preview link of the article at once',
      { params: IdParamsSchema, response: { 204: z.null().describe('Revoked') } },
      [400, 404],
    ),
    async (request, reply) => {
      await revokePreviewLinks({ db: deps.db, id: request.params.id });
      return reply.code(204).send(null);
    },
  );
};

/** The preview itself (under /v1): read-only, one article, never cached publicly. */
export const previewRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/preview/articles/:id',
    {
      schema: {
        operationId: 'getArticlePreview',
        tags: ['articles'],
        summary: 'The current text of one article (a draft too) in the public shape, for a preview link',
        security: [],
        params: IdParamsSchema,
        querystring: PreviewQuerySchema,
        response: { 200: PreviewArticleSchema, ...problemResponses(400, 401, 404) },
        ...responseHeaders({ '*': PRIVATE, 401: CHALLENGE }),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'private, no-store');
      const header = /^Preview\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const json = await readPreview({
        db: deps.db.read,
        secret: await previewSecret(deps),
        id: request.params.id,
        token: header ?? request.query.token,
        now: deps.now(),
      });
      return sendJson(reply, json);
    },
  );
};
