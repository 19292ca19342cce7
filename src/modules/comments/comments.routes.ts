import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { publicRead, sendJson, setSurrogateKeys } from '../../http/caching.js';
import { clientAddress } from '../../http/client-address.js';
import { SlugParamsSchema } from '../../http/common.schemas.js';
import { problemResponses } from '../../http/errors.js';
import { always, responseHeaders } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { createPresenter } from '../render/present.js';
import { wantsHtml } from '../render/render.schemas.js';
import { submitComment } from './comments.moderation.service.js';
import {
  CommentAcceptedSchema,
  CommentSubmitSchema,
  CommentThreadQuerySchema,
  PublicCommentListSchema,
} from './comments.schemas.js';
import { getPublicThread } from './comments.service.js';

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': always('Submissions allowed per window from your address'),
  'X-RateLimit-Remaining': always('Submissions left in the current window'),
  'X-RateLimit-Reset': always('Seconds until the window resets'),
};
const RETRY_AFTER = { 'Retry-After': always('Seconds until a new submission is accepted') };

export const publicCommentRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now, config }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const present = createPresenter();

  routes.get(
    '/articles/:slug/comments',
    publicRead({
      operationId: 'listArticleComments',
      tags: ['comments'],
      summary: 'Approved comments of a published article, oldest first, each with its approved replies',
      params: SlugParamsSchema,
      querystring: CommentThreadQuerySchema,
      response: { 200: PublicCommentListSchema, ...problemResponses(400, 404) },
    }),
    async (request, reply) => {
      const { format, ...page } = request.query;
      const { articleId, json } = await getPublicThread({
        db: db.read,
        slug: request.params.slug,
        now: now(),
        ...page,
      });
      setSurrogateKeys(reply, [`comments-${articleId}`]);
      // Comments hold no images, so only the HTML companions apply.
      return sendJson(reply, present(json, 'comments', { html: wantsHtml(format), base: null }));
    },
  );

  routes.post(
    '/articles/:slug/comments',
    {
      // Only submission is limited, per client address as TRUST_PROXY defines it: reads pay nothing.
      // Counted in preHandler, after parsing and validation: a refused body (400, 413, 415) costs no allowance.
      config: {
        rateLimit: {
          max: config.comments.rateLimitMax,
          timeWindow: config.comments.rateLimitWindowMs,
          hook: 'preHandler',
        },
      },
      schema: {
        operationId: 'submitComment',
        tags: ['comments'],
        summary: 'Submit a comment (or a reply to an approved comment); it is public only once a moderator approves it',
        params: SlugParamsSchema,
        body: CommentSubmitSchema,
        response: { 202: CommentAcceptedSchema, ...problemResponses(400, 404, 409, 413, 415, 422, 429) },
        // @fastify/rate-limit counts every request that parsed and validated; refused bodies never reach it.
        ...responseHeaders(Object.fromEntries([202, 404, 409, 422].map((status) => [status, RATE_LIMIT_HEADERS])), {
          429: { ...RATE_LIMIT_HEADERS, ...RETRY_AFTER },
        }),
      },
    },
    async (request, reply) => {
      const context = { db, now: now(), policy: config.comments, clientAddress: clientAddress(request) };
      const { id } = await submitComment(context, request.params.slug, request.body);
      return reply.code(202).send({ id, status: 'pending' as const });
    },
  );
};
