import { z } from 'zod';
import { collectionOf, PageQuerySchema } from '../../http/common.schemas.js';

export const TagSummarySchema = z
  .object({
    slug: z.string(),
    name: z.string(),
    articleCount: z.number().int().describe('Published articles with this tag (at least 1)'),
  })
  .meta({ id: 'TagSummary' });

export const TagListQuerySchema = PageQuerySchema;

export const TagListSchema = collectionOf(TagSummarySchema).meta({ id: 'TagList' });

export type TagSummary = z.infer<typeof TagSummarySchema>;
