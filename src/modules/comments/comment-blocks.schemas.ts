import { z } from 'zod';
import { normalizeAddress } from '../../http/client-address.js';
import { collectionOf, TimestampSchema } from '../../http/common.schemas.js';

export const COMMENT_BLOCK_KINDS = ['word', 'email', 'address'] as const;

export const CommentBlockSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(COMMENT_BLOCK_KINDS),
    value: z
      .string()
      .describe('A word or phrase (lowercased), an e-mail (trimmed, lowercased), or for an address its salted hash'),
    createdBy: z.string().describe('The key that added it'),
    createdAt: TimestampSchema,
  })
  .meta({ id: 'CommentBlock' });

export const CommentBlockListSchema = collectionOf(CommentBlockSchema).meta({ id: 'CommentBlockList' });

export const CreateCommentBlockSchema = z
  .strictObject({
    kind: z
      .enum(COMMENT_BLOCK_KINDS)
      .describe('word: a word or phrase in the name or body; email: the author e-mail; address: the client address'),
    value: z
      .string()
      .trim()
      .min(1)
      .max(254)
      .describe('The word, e-mail or IP address; an address is stored only hashed'),
  })
  .superRefine(({ kind, value }, ctx) => {
    if (kind === 'email' && !z.email().safeParse(value).success)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'Not an e-mail address' });
    if (kind === 'address' && normalizeAddress(value) === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'Not an IPv4 or IPv6 address' });
  })
  .meta({ id: 'CreateCommentBlock' });

export type CommentBlock = z.infer<typeof CommentBlockSchema>;
export type CreateCommentBlock = z.infer<typeof CreateCommentBlockSchema>;
