import { z } from 'zod';
import {
  ImageSchema,
  PageMetaSchema,
  PageQuerySchema,
  SlugSchema,
  TimestampSchema,
} from '../../http/common.schemas.js';
import { FormatQuerySchema, htmlOf } from '../render/render.schemas.js';
import { ARTICLE_SORTS } from './articles.documents.js';

// An instant with its offset (Z or ±hh:mm), as in ISO 8601.
const DateTimeQuerySchema = z.iso.datetime({ offset: true });

export const TagSchema = z.object({ slug: z.string(), name: z.string() }).meta({ id: 'Tag' });

export const PriceSchema = z
  .object({
    amount: z.number().int().describe('In minor units (cents)'),
    currency: z.string().describe('ISO 4217 code'),
  })
  .meta({ id: 'Price' });

export const TipSchema = z
  .object({
    id: z.number().int(),
    position: z.number().int(),
    title: z.string(),
    body: z.string().describe('Markdown'),
    bodyHtml: htmlOf('body'),
    image: ImageSchema.nullable(),
  })
  .meta({ id: 'Tip' });

export const SectionSchema = z
  .object({
    id: z.number().int(),
    position: z.number().int(),
    heading: z.string(),
    lead: z.string().nullable().describe('Markdown'),
    leadHtml: htmlOf('lead'),
    tips: z.array(TipSchema),
  })
  .meta({ id: 'Section' });

export const ArticleProductSchema = z
  .object({
    slug: z.string(),
    name: z.string(),
    summary: z.string().nullable(),
    summaryHtml: htmlOf('summary'),
    url: z.string().nullable(),
    image: ImageSchema.nullable(),
    price: PriceSchema.nullable().describe('Null when the price is unknown'),
    badges: z.array(z.string()),
    suitableFor: z.array(z.string()),
    inStock: z.boolean(),
    placement: z.enum(['inline', 'end', 'sidebar']),
    afterSection: z.number().int().nullable().describe('Position of the section the product follows'),
    headline: z.string().nullable(),
    pitch: z.string().nullable().describe('Markdown'),
    pitchHtml: htmlOf('pitch'),
  })
  .meta({ id: 'ArticleProduct' });

export const SeoSchema = z
  .object({
    title: z.string().nullable(),
    description: z.string().nullable(),
    canonicalUrl: z.string().nullable(),
    ogImage: z.string().nullable(),
  })
  .meta({ id: 'Seo' });

export const ArticleSummarySchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    summary: z.string().nullable().describe('Markdown'),
    summaryHtml: htmlOf('summary'),
    image: ImageSchema.nullable(),
    tags: z.array(TagSchema),
    publishedAt: TimestampSchema,
    commentCount: z.number().int(),
    snippet: z
      .string()
      .optional()
      .describe(
        'Only in search results (q): the best passage around the matched words, as HTML text: everything escaped, matched words in <mark>…</mark>',
      ),
  })
  .meta({ id: 'ArticleSummary' });

export const ArticleSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    summary: z.string().nullable().describe('Markdown'),
    summaryHtml: htmlOf('summary'),
    intro: z.string().nullable().describe('Markdown'),
    introHtml: htmlOf('intro'),
    conclusion: z.string().nullable().describe('Markdown'),
    conclusionHtml: htmlOf('conclusion'),
    image: ImageSchema.nullable(),
    tags: z.array(TagSchema),
    seo: SeoSchema,
    publishedAt: TimestampSchema,
    updatedAt: TimestampSchema,
    commentCount: z.number().int().describe('Approved comments visible in the public thread'),
    sections: z.array(SectionSchema),
    products: z.array(ArticleProductSchema),
  })
  .meta({ id: 'Article' });

export const ArticleListQuerySchema = PageQuerySchema.extend({
  q: z
    .string()
    .min(1)
    .max(200)
    .regex(/[\p{L}\p{N}]/u, 'Expected at least one letter or digit')
    .optional()
    .describe(
      'Full-text search: articles holding every word (English stemming) in their title, summary, intro, headings, leads, tips or conclusion, most relevant first (title and headings weigh most); not combinable with other filters',
    ),
  tag: z
    .union([SlugSchema, z.array(SlugSchema).min(1).max(10)])
    .optional()
    .describe('Only articles with this tag slug; repeat the parameter for several (any of them)'),
  product: SlugSchema.optional().describe('Only articles that feature the product with this slug'),
  publishedAfter: DateTimeQuerySchema.optional().describe('Only articles published at or after this instant'),
  publishedBefore: DateTimeQuerySchema.optional().describe('Only articles published strictly before this instant'),
  sort: z
    .enum(ARTICLE_SORTS)
    .optional()
    .describe(
      'Order: -publishedAt (newest first, the default), publishedAt (oldest first) or title (A to Z, by code point); not with q',
    ),
  count: z
    .enum(['true', 'false'])
    .optional()
    .describe('true adds meta.total, the number of matching articles (one more query); not with q'),
  format: FormatQuerySchema,
}).strict();

// Strict like every other query: an unknown field is a 400 naming it, not silently ignored.
export const ArticleQuerySchema = z.object({ format: FormatQuerySchema }).strict();

export const ArticleListSchema = z
  .object({
    data: z.array(ArticleSummarySchema),
    meta: PageMetaSchema.extend({
      total: z.number().int().optional().describe('Only with count=true: how many articles match, on every page'),
    }),
  })
  .meta({ id: 'ArticleList' });

export type Tag = z.infer<typeof TagSchema>;
export type ArticleListQuery = z.infer<typeof ArticleListQuerySchema>;
export type Tip = z.infer<typeof TipSchema>;
export type Section = z.infer<typeof SectionSchema>;
export type ArticleProduct = z.infer<typeof ArticleProductSchema>;
export type ArticleSummary = z.infer<typeof ArticleSummarySchema>;
export type Article = z.infer<typeof ArticleSchema>;
