import { z } from 'zod';
import { outboxEventTypes } from '../../db/outbox.js';

export const ChangesQuerySchema = z.strictObject({
  since: z
    .string()
    .max(100)
    .optional()
    .describe('The nextCursor of your previous page; omit it to start from now (an empty page and the current cursor)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ChangeKindSchema = z.enum(['article', 'product', 'site']);

export const ChangeSchema = z
  .object({
    cursor: z.string().describe('Resume after this change by passing it as since'),
    type: z.enum(outboxEventTypes).exclude(['comment.created']),
    kind: ChangeKindSchema.describe('What changed; comment events name the article whose comments changed'),
    id: z.number().int(),
    slug: z.string().nullable(),
    previousSlug: z.string().optional().describe('For article.slug_changed: the slug it had (it now redirects)'),
    at: z.string().describe('When the change was recorded'),
  })
  .meta({ id: 'Change' });

export const ChangePageSchema = z
  .object({
    data: z.array(ChangeSchema),
    meta: z.object({
      limit: z.number().int(),
      nextCursor: z.string().describe('Poll again with this as since; it stays the same while nothing changed'),
    }),
  })
  .meta({ id: 'ChangePage' });

export type Change = z.infer<typeof ChangeSchema>;
