import { z } from 'zod';
import { ADMIN_STATUSES } from '../../db/visibility.js';
import { collectionOf, ImageSchema, PageQuerySchema, SlugSchema, TimestampSchema } from '../../http/common.schemas.js';
import { ArticleProductSchema, ArticleSummarySchema, SectionSchema, SeoSchema, TagSchema } from './articles.schemas.js';

const MAX_TEXT = 20_000;
// One create writes every part in one transaction on the event loop: this bound keeps it near 100 ms
// (measured by bench/create-blocking.ts).
export const MAX_SECTIONS = 50;
export const MAX_PARTS_PER_REQUEST = 100;

const line = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().max(max).nullable().optional();

export const ImageInputSchema = z
  .strictObject({
    url: z.string().trim().min(1).max(2000),
    alt: z.string().max(500).nullable().optional(),
    caption: z.string().max(1000).nullable().optional(),
  })
  .meta({ id: 'ImageWrite' });

export const SeoInputSchema = z
  .strictObject({
    title: optionalText(200),
    description: optionalText(500),
    canonicalUrl: z.url().max(2000).nullable().optional(),
    ogImage: optionalText(2000),
  })
  .meta({ id: 'SeoWrite' });

export const TipInputSchema = z
  .strictObject({
    title: line(200),
    body: z.string().trim().min(1).max(MAX_TEXT).describe('Markdown'),
    image: ImageInputSchema.nullable().optional(),
  })
  .meta({ id: 'TipWrite' });

export const SectionInputSchema = z
  .strictObject({
    heading: line(200),
    lead: optionalText(5000),
    tips: z.array(TipInputSchema).max(100).default([]),
  })
  .meta({ id: 'SectionWrite' });

const TagsInputSchema = z.array(line(60)).max(20).describe('Tag slugs or names; unknown tags are created');

export const ArticleCreateSchema = z
  .strictObject({
    title: line(200),
    slug: SlugSchema.optional().describe('Derived from the title when absent'),
    summary: optionalText(500),
    intro: optionalText(MAX_TEXT),
    conclusion: optionalText(MAX_TEXT),
    tags: TagsInputSchema.optional(),
    image: ImageInputSchema.nullable().optional(),
    seo: SeoInputSchema.optional(),
    sections: z
      .array(SectionInputSchema)
      .max(MAX_SECTIONS)
      .default([])
      .describe(`At most ${MAX_PARTS_PER_REQUEST} sections and tips together; add more with later requests`),
  })
  .superRefine((article, ctx) => {
    const parts = article.sections.reduce((sum, section) => sum + 1 + section.tips.length, 0);
    if (parts > MAX_PARTS_PER_REQUEST)
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: `At most ${MAX_PARTS_PER_REQUEST} sections and tips together in one request (sent ${parts})`,
      });
  })
  .meta({ id: 'ArticleCreate' });

export const ArticlePatchSchema = z
  .strictObject({
    title: line(200).optional(),
    slug: SlugSchema.optional().describe('A new slug; the old one keeps answering 301'),
    summary: optionalText(500),
    intro: optionalText(MAX_TEXT),
    conclusion: optionalText(MAX_TEXT),
    tags: TagsInputSchema.optional(),
    image: ImageInputSchema.nullable().optional(),
    seo: SeoInputSchema.optional().describe('Merged field by field'),
  })
  .meta({ id: 'ArticlePatch' });

export const PublishSchema = z
  .strictObject({
    publishedAt: z.iso
      .datetime({ offset: true })
      .refine((value) => new Date(value).getUTCFullYear() <= 9999, 'Must be no later than the year 9999 (UTC)')
      .optional()
      .describe('In the future, schedules the article'),
  })
  // No body at all is as good as {}.
  .nullish()
  .meta({ id: 'PublishRequest' });

export const EmptyActionSchema = z.strictObject({}).nullish();

export const SectionCreateSchema = SectionInputSchema.extend({
  position: z.number().int().min(1).optional().describe('Defaults to the end; siblings move down'),
}).meta({ id: 'SectionCreate' });

export const SectionPatchSchema = z
  .strictObject({
    heading: line(200).optional(),
    lead: optionalText(5000),
    position: z.number().int().min(1).optional().describe('Moves the section; siblings are renumbered'),
  })
  .meta({ id: 'SectionPatch' });

export const TipCreateSchema = TipInputSchema.extend({
  position: z.number().int().min(1).optional().describe('Defaults to the end; siblings move down'),
}).meta({ id: 'TipCreate' });

export const TipPatchSchema = z
  .strictObject({
    title: line(200).optional(),
    body: z.string().trim().min(1).max(MAX_TEXT).optional(),
    image: ImageInputSchema.nullable().optional(),
    position: z.number().int().min(1).optional().describe('Moves the tip within its section'),
  })
  .meta({ id: 'TipPatch' });

export const ArticleProductsPutSchema = z
  .strictObject({
    products: z
      .array(
        z.strictObject({
          productId: z.number().int().positive(),
          placement: z.enum(['inline', 'end', 'sidebar']).default('end'),
          afterSection: z
            .number()
            .int()
            .min(1)
            .nullable()
            .optional()
            .describe('Position of the section the product follows'),
          headline: optionalText(200),
          pitch: optionalText(5000),
        }),
      )
      .max(50)
      .describe('In display order'),
  })
  .meta({ id: 'ArticleProductsPut' });

export const AdminArticleSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    summary: z.string().nullable(),
    intro: z.string().nullable(),
    conclusion: z.string().nullable(),
    image: ImageSchema.nullable(),
    tags: z.array(TagSchema),
    seo: SeoSchema,
    status: z.enum(ADMIN_STATUSES),
    publishedAt: TimestampSchema.nullable(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    revision: z.number().int().describe('Increases with every change; the ETag derives from it'),
    redirectsFrom: z.array(z.string()).describe('Old slugs that answer 301 to this article'),
    sections: z.array(SectionSchema),
    products: z.array(ArticleProductSchema.extend({ productId: z.number().int() })),
  })
  .meta({ id: 'AdminArticle' });

export const AdminArticleSummarySchema = ArticleSummarySchema.pick({
  id: true,
  slug: true,
  title: true,
  summary: true,
  tags: true,
})
  .extend({
    status: z.enum(ADMIN_STATUSES),
    publishedAt: TimestampSchema.nullable(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: 'AdminArticleSummary' });

export const AdminArticleListQuerySchema = PageQuerySchema.extend({
  status: z.enum(ADMIN_STATUSES).optional(),
  tag: SlugSchema.optional(),
}).strict();

export const AdminArticleListSchema = collectionOf(AdminArticleSummarySchema).meta({ id: 'AdminArticleList' });

export const RedirectParamsSchema = z.strictObject({ slug: SlugSchema });

export type ArticleCreate = z.infer<typeof ArticleCreateSchema>;
export type ArticlePatch = z.infer<typeof ArticlePatchSchema>;
export type AdminArticle = z.infer<typeof AdminArticleSchema>;
export type ImageInput = z.infer<typeof ImageInputSchema>;
export type SectionCreate = z.infer<typeof SectionCreateSchema>;
export type SectionPatch = z.infer<typeof SectionPatchSchema>;
export type TipCreate = z.infer<typeof TipCreateSchema>;
export type TipPatch = z.infer<typeof TipPatchSchema>;
export type ArticleProductsPut = z.infer<typeof ArticleProductsPutSchema>;
