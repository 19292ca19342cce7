import { z } from 'zod';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const SlugSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(SLUG_PATTERN, 'Expected lowercase letters, digits and single hyphens');

export const SlugParamsSchema = z.object({ slug: SlugSchema }).strict();

// Exactly one spelling per id: no sign, spaces, leading zeros, exponent, fraction or hex.
const CANONICAL_ID = /^[1-9][0-9]{0,9}$/;
// Ids are 32-bit on both engines (PostgreSQL integer identity columns): a larger id can name nothing.
export const MAX_ID = 2_147_483_647;

/** A path id: a canonical positive decimal integer, as the API writes ids; anything else is 400. */
export const IdSchema = z
  .string()
  .regex(CANONICAL_ID, 'Expected a positive decimal integer without sign, spaces or leading zeros')
  .transform(Number)
  .pipe(z.number().int().positive().max(MAX_ID))
  // Documented as what a client sends: an integer (written in decimal, as every client does).
  .meta({ type: 'integer', minimum: 1, maximum: MAX_ID });

export const IdParamsSchema = z.object({ id: IdSchema }).strict();

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
