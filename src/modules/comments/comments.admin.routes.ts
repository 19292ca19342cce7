import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { managementRoute, principalOf } from '../../http/auth.js';
import { IdParamsSchema } from '../../http/common.schemas.js';
import { createIdempotencyStore } from '../../http/idempotency.js';
import { COMMENT_ETAG } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import {
  commentEtag,
  decideComment,
  decideComments,
  decideCommentsByFilter,
  deleteComment,
  getCommentForModeration,
  listModerationQueue,
} from './comments.moderation.service.js';
import {
  AdminCommentDetailSchema,
  BulkDecisionSchema,
  BulkFilterDecisionSchema,
  BulkFilterResultSchema,
  BulkResultSchema,
  CommentDecisionSchema,
  CommentQueueQuerySchema,
  CommentQueueSchema,
} from './comments.schemas.js';

const moderation = managementRoute(['admin', 'moderator'] as const, 'admin-comments');
const IfMatchHeaders = z.object({
  'if-match': z.string().optional().describe('The ETag of your last read; a stale one gets 412'),
});
const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Retrying with the same key and body answers the first result instead of deciding again'),
});

export const adminCommentRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const idempotency = createIdempotencyStore();
  const writeContext = (request: FastifyRequest) => ({ db, now: now(), ifMatch: request.headers['if-match'] });

  routes.get(
    '/comments',
    moderation(
      'adminListComments',
      'The moderation queue, oldest or newest first, with counts per status and the newest id',
      { querystring: CommentQueueQuerySchema, response: { 200: CommentQueueSchema } },
      [400],
    ),
    async (request) => {
      const { q, ...rest } = request.query;
      return listModerationQueue({ db }, { ...rest, text: q });
    },
  );

  routes.get(
    '/comments/:id',
    moderation(
      'adminGetComment',
      'One comment with its spam signals and moderation history',
      { params: IdParamsSchema, response: { 200: AdminCommentDetailSchema } },
      [400, 404],
      { 200: COMMENT_ETAG },
    ),
    async (request, reply) => {
      const comment = await getCommentForModeration({ db }, request.params.id);
      return reply.header('etag', commentEtag(comment)).send(comment);
    },
  );

  routes.patch(
    '/comments/:id',
    moderation(
      'adminModerateComment',
      'Decide: pending, approved, rejected or spam, with an optional note',
      {
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        body: CommentDecisionSchema,
        response: { 200: AdminCommentDetailSchema },
      },
      [400, 404, 412],
      { 200: COMMENT_ETAG },
    ),
    async (request, reply) => {
      const comment = await decideComment(writeContext(request), request.params.id, {
        ...request.body,
        actor: principalOf(request).name,
      });
      return reply.header('etag', commentEtag(comment)).send(comment);
    },
  );

  routes.post(
    '/comments/bulk',
    moderation(
      'adminModerateComments',
      'Decide up to 100 comments by id in one transaction (reports the ids that do not exist), or every comment matching a filter up to its maxId, in short batches (answers how many changed)',
      {
        headers: IdempotencyHeaders,
        body: z.union([BulkDecisionSchema, BulkFilterDecisionSchema]),
        response: { 200: z.union([BulkResultSchema, BulkFilterResultSchema]) },
      },
      [400, 422],
    ),
    async (request) => {
      const { body } = request;
      const principal = principalOf(request);
      const decision = { status: body.status, note: body.note, actor: principal.name };
      return idempotency.run(
        String(principal.keyId),
        request.headers['idempotency-key'],
        body,
        now().getTime(),
        async (): Promise<z.infer<typeof BulkResultSchema> | z.infer<typeof BulkFilterResultSchema>> =>
          'filter' in body
            ? decideCommentsByFilter({ db, now }, body.filter, decision)
            : decideComments({ db, now: now() }, body.ids, decision),
      );
    },
  );

  routes.delete(
    '/comments/:id',
    moderation(
      'adminDeleteComment',
      'Delete a comment: gone from every view, its moderation history kept',
      { params: IdParamsSchema, headers: IfMatchHeaders, response: { 204: z.null().describe('Deleted') } },
      [400, 404, 412],
    ),
    async (request, reply) => {
      await deleteComment(writeContext(request), request.params.id, principalOf(request).name);
      return reply.code(204).send(null);
    },
  );
};
