import { z } from 'zod';
import { TimestampSchema, collectionOf } from '../../http/common.schemas.js';

export const PublicReplySchema = z
  .object({
    id: z.number().int(),
    authorName: z.string(),
    body: z.string().describe('Plain text exactly as written; escape it when rendering'),
    createdAt: TimestampSchema,
  })
  .meta({ id: 'PublicReply' });

export const PublicCommentSchema = PublicReplySchema.extend({
  replies: z.array(PublicReplySchema).describe('Approved replies, oldest first'),
}).meta({ id: 'PublicComment' });

export const PublicCommentListSchema = collectionOf(PublicCommentSchema).meta({ id: 'PublicCommentList' });

export type PublicComment = z.infer<typeof PublicCommentSchema>;
