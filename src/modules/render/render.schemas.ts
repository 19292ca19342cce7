import { z } from 'zod';

export const FORMATS = ['markdown', 'html', 'markdown,html'] as const;

export const FormatQuerySchema = z
  .enum(FORMATS)
  .optional()
  .describe(
    'markdown (default): text fields as stored. html or markdown,html: each Markdown field `x` also comes as `xHtml`, rendered and sanitised',
  );

export type Format = z.infer<typeof FormatQuerySchema>;

export const wantsHtml = (format: Format) => format === 'html' || format === 'markdown,html';

/** The `<field>Html` companion of a Markdown (or, for comments, plain-text) field, present with format=html. */
export const htmlOf = (field: string, how = 'rendered from Markdown and sanitised') =>
  z
    .string()
    .nullable()
    .optional()
    .describe(`Only with format=html: \`${field}\` as HTML, ${how}; null when \`${field}\` is null`);
