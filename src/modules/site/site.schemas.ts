import { z } from 'zod';

export const SiteSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    url: z.string().nullable(),
    announcement: z.string().nullable().describe('A strip shown across the site, e.g. shipping terms'),
  })
  .meta({ id: 'Site' });

export type Site = z.infer<typeof SiteSchema>;

const optionalText = (max: number) => z.string().max(max).nullable().optional();

export const SitePatchSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Required when the site does not exist yet; never null'),
    description: optionalText(2000),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .nullable()
      .optional()
      .describe('The public site, e.g. https://example.com; feeds and the sitemap build links from it'),
    announcement: optionalText(500),
  })
  .strict()
  .meta({ id: 'SitePatch', description: 'A merge: an absent field is unchanged, null clears it' });

export const SiteIfMatchHeadersSchema = z.object({
  'if-match': z.string().optional().describe('The ETag of your last read; a stale one gets 412'),
});

export type SitePatch = z.infer<typeof SitePatchSchema>;
