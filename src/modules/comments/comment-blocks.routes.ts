import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { managementRoute, principalOf } from '../../http/auth.js';
import { IdParamsSchema } from '../../http/common.schemas.js';
import { location } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { CommentBlockListSchema, CommentBlockSchema, CreateCommentBlockSchema } from './comment-blocks.schemas.js';
import { addBlock, getBlock, listBlocks, removeBlock } from './comment-blocks.service.js';

const moderation = managementRoute(['admin', 'moderator'] as const, 'admin-comments');

/** Blocked words, e-mails and addresses: read by every submission from the database, so every process applies a change at once. */
export const adminCommentBlockRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/comment-blocks',
    moderation(
      'adminListCommentBlocks',
      'Every blocked word, e-mail and address (addresses as their salted hash), oldest first; COMMENT_BLOCKED_WORDS applies besides',
      { response: { 200: CommentBlockListSchema } },
      [],
    ),
    async () => {
      const data = await listBlocks({ db });
      // One page holds every block: there are few, and the envelope keeps room for paging later.
      return { data, meta: { limit: data.length, nextCursor: null } };
    },
  );

  routes.post(
    '/comment-blocks',
    moderation(
      'adminCreateCommentBlock',
      'Block a word, an e-mail or an address for new submissions (a blocked word adds blockedWord, a blocked author blockedAuthor)',
      { body: CreateCommentBlockSchema, response: { 201: CommentBlockSchema } },
      [400, 409],
      { 201: location('The created block, which answers GET') },
    ),
    async (request, reply) => {
      const block = await addBlock({ db, now: now(), actor: principalOf(request).name }, request.body);
      return reply.code(201).header('location', `/v1/admin/comment-blocks/${block.id}`).send(block);
    },
  );

  routes.get(
    '/comment-blocks/:id',
    moderation(
      'adminGetCommentBlock',
      'One blocked word, e-mail or address',
      { params: IdParamsSchema, response: { 200: CommentBlockSchema } },
      [400, 404],
    ),
    async (request) => getBlock({ db }, request.params.id),
  );

  routes.delete(
    '/comment-blocks/:id',
    moderation(
      'adminDeleteCommentBlock',
      'Unblock: new submissions no longer see it',
      { params: IdParamsSchema, response: { 204: z.null().describe('Unblocked') } },
      [400, 404],
    ),
    async (request, reply) => {
      await removeBlock({ db }, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
