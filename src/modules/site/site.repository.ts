import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { site } from '../../db/schema.js';
import type { Site } from './site.schemas.js';

export async function getSite({ db }: { db: Db }): Promise<Site | undefined> {
  return db
    .select({ name: site.name, description: site.description, url: site.url, announcement: site.announcement })
    .from(site)
    .where(eq(site.id, 1))
    .get();
}

export async function upsertSite({ db, values }: { db: Db; values: Site }): Promise<void> {
  await db
    .insert(site)
    .values({ id: 1, ...values })
    .onConflictDoUpdate({ target: site.id, set: values });
}

/** The site row as the writer sees it, inside the transaction that will change it. */
export async function findSite({ db }: { db: Db }): Promise<Site | undefined> {
  const rows = await db
    .select({ name: site.name, description: site.description, url: site.url, announcement: site.announcement })
    .from(site)
    .where(eq(site.id, 1))
    .limit(1);
  return rows[0];
}
