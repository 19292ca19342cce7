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
