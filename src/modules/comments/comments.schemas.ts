import { z } from 'zod';
import { collectionOf, PageMetaSchema, PageQuerySchema, TimestampSchema } from '../../http/common.schemas.js';
import { FormatQuerySchema, htmlOf } from '../render/render.schemas.js';

export const PublicReplySchema = z
  .object({
    id: z.number().int(),
    authorName: z.string(),
    body: z.string().describe('Plain text exactly as written; escape it when rendering'),
    bodyHtml: htmlOf('body', 'escaped plain text in paragraphs, web addresses as rel="nofollow ugc" links'),
    createdAt: TimestampSchema,
  })
  .meta({ id: 'PublicReply' });

export const PublicCommentSchema = PublicReplySchema.extend({
  replies: z.array(PublicReplySchema).describe('Approved replies, oldest first'),
}).meta({ id: 'PublicComment' });

export const PublicCommentListSchema = collectionOf(PublicCommentSchema).meta({ id: 'PublicCommentList' });

export const CommentThreadQuerySchema = PageQuerySchema.extend({ format: FormatQuerySchema }).strict();

export type PublicComment = z.infer<typeof PublicCommentSchema>;

export const CommentSubmitSchema = z
  .strictObject({
    authorName: z.string().trim().min(1).max(80),
    authorEmail: z.email().max(254).describe('Never shown publicly'),
    body: z
      .string()
      .max(5000)
      .refine((body) => body.trim().length > 0, 'The comment is empty')
      .describe('Plain text, stored exactly as written; frontends escape it'),
    parentId: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('An approved root comment of the same article: replies are one level deep'),
    website: z.string().max(500).optional().describe('Leave empty: a honeypot field real readers never see'),
    renderedAt: z
      .union([z.iso.datetime({ offset: true }), z.number().int().positive().describe('Epoch milliseconds')])
      .optional()
      .describe('When the comment form was shown'),
  })
  .meta({ id: 'CommentSubmission' });

export const CommentAcceptedSchema = z
  .object({
    id: z.number().int(),
    status: z.literal('pending').describe('Always pending: nothing is public before a moderator approves it'),
  })
  .meta({ id: 'CommentAccepted' });

export const COMMENT_STATUS_VALUES = ['pending', 'approved', 'rejected', 'spam'] as const;
export const CommentStatusSchema = z.enum(COMMENT_STATUS_VALUES).meta({ id: 'CommentStatus' });

export const ModerationEventSchema = z
  .object({
    fromStatus: CommentStatusSchema.nullable(),
    toStatus: CommentStatusSchema,
    actor: z.string().describe('The API key name, or "system" for the spam filter'),
    note: z.string().nullable(),
    at: TimestampSchema,
  })
  .meta({ id: 'ModerationEvent' });

export const AdminCommentSchema = z
  .object({
    id: z.number().int(),
    articleId: z.number().int(),
    articleSlug: z.string(),
    parentId: z.number().int().nullable(),
    authorName: z.string(),
    authorEmail: z.string(),
    body: z.string(),
    status: CommentStatusSchema,
    spamScore: z.number(),
    spamSignals: z.record(z.string(), z.number()).describe('Each signal that fired and the points it added'),
    revision: z.number().int(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: 'AdminComment' });

export const AdminCommentDetailSchema = AdminCommentSchema.extend({
  history: z.array(ModerationEventSchema).describe('Every decision, oldest first'),
}).meta({ id: 'AdminCommentDetail' });

export const QueueOrderSchema = z.enum(['oldest', 'newest']).describe('oldest first (the default) or newest first');

export const CommentQueueQuerySchema = PageQuerySchema.extend({
  status: CommentStatusSchema.optional(),
  articleId: z.coerce.number().int().positive().optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Text in the body, author name or e-mail'),
  createdBefore: z.iso.datetime({ offset: true }).optional().describe('Only comments submitted before this instant'),
  order: QueueOrderSchema.default('oldest'),
}).strict();

export const StatusCountsSchema = z
  .object({
    pending: z.number().int(),
    approved: z.number().int(),
    rejected: z.number().int(),
    spam: z.number().int(),
  })
  .meta({ id: 'CommentStatusCounts' });

export const QueueItemSchema = AdminCommentSchema.extend({
  articleTitle: z.string(),
  etag: z.string().describe('Send as If-Match with a decision: 412 if someone decided since this listing'),
  parent: z
    .object({ id: z.number().int(), authorName: z.string(), body: z.string(), status: CommentStatusSchema })
    .nullable()
    .describe('The comment a reply answers; null for a root comment or a deleted parent'),
}).meta({ id: 'CommentQueueItem' });

export const CommentQueueSchema = z
  .object({
    data: z.array(QueueItemSchema),
    meta: PageMetaSchema.extend({
      counts: StatusCountsSchema.describe(
        'Per status, for the same article and text filters. Under `q`, only the newest 1,000 matching comments are counted (see countsExact)',
      ),
      countsExact: z
        .boolean()
        .describe(
          'False when `q` matched more than 1,000 comments: each count is then a lower bound (of the newest 1,000 matches), shown as "N+"',
        ),
      maxId: z
        .number()
        .int()
        .describe('The newest comment id when this page was listed: pass it to a bulk decision by filter'),
    }),
  })
  .meta({ id: 'CommentQueue' });

const NoteSchema = z.string().trim().min(1).max(1000).optional().describe('Why: kept in the moderation history');

export const CommentDecisionSchema = z
  .strictObject({ status: CommentStatusSchema, note: NoteSchema })
  .meta({ id: 'CommentDecision' });

export const BulkDecisionSchema = z
  .strictObject({
    ids: z.array(z.number().int().positive()).min(1).max(100),
    status: CommentStatusSchema,
    note: NoteSchema,
  })
  .meta({ id: 'BulkCommentDecision' });

export const BulkFilterSchema = z
  .strictObject({
    status: CommentStatusSchema.optional(),
    articleId: z.number().int().positive().optional(),
    q: z.string().trim().min(1).max(200).optional(),
    createdBefore: z.iso.datetime({ offset: true }).optional(),
    maxId: z
      .number()
      .int()
      .nonnegative()
      .describe('meta.maxId of the listing the moderator saw: later arrivals are never swept in'),
  })
  .meta({ id: 'CommentFilter' });

export const BulkFilterDecisionSchema = z
  .strictObject({ filter: BulkFilterSchema, status: CommentStatusSchema, note: NoteSchema })
  .meta({ id: 'BulkCommentFilterDecision' });

export const BulkResultSchema = z
  .object({
    status: CommentStatusSchema,
    updated: z.array(z.number().int()).describe('Comments now in that status (changed, or already there)'),
    notFound: z.array(z.number().int()).describe('Ids that do not exist or were deleted'),
  })
  .meta({ id: 'BulkCommentResult' });

export const BulkFilterResultSchema = z
  .object({
    status: CommentStatusSchema,
    changed: z.number().int().describe('Comments moved to that status, each with its own moderation event'),
  })
  .meta({ id: 'BulkCommentFilterResult' });

export type CommentSubmit = z.infer<typeof CommentSubmitSchema>;
export type AdminComment = z.infer<typeof AdminCommentSchema>;
export type AdminCommentDetail = z.infer<typeof AdminCommentDetailSchema>;
export type QueueItem = z.infer<typeof QueueItemSchema>;
export type BulkFilter = z.infer<typeof BulkFilterSchema>;
