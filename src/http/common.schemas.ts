import { z } from 'zod';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const SlugSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(SLUG_PATTERN, 'Expected lowercase letters, digits and single hyphens');

export const SlugParamsSchema = z.object({ slug: SlugSchema }).strict();

export const IdParamsSchema = z
  .object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) })
  .strict();

export const TimestampSchema = z
  .string()
  .describe('ISO 8601 UTC timestamp with milliseconds')
  .meta({ format: 'date-time' });

export const ImageSchema = z
  .object({
    url: z.string(),
    alt: z.string().nullable(),
    caption: z.string().nullable(),
  })
  .meta({ id: 'Image' });

export const PageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(512).optional().describe('Opaque cursor from meta.nextCursor'),
  })
  .strict();

export const PageMetaSchema = z
  .object({
    limit: z.number().int(),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'PageMeta' });

export function collectionOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), meta: PageMetaSchema });
}

export type Image = z.infer<typeof ImageSchema>;
