import { eq } from 'drizzle-orm';
import { first } from '../../db/query.js';
import { type Db, tablesOf } from '../../db/schema.js';
import type { Site } from './site.schemas.js';

export async function getSite({ db }: { db: Db }): Promise<Site | undefined> {
  const { site } = tablesOf(db);
  return first(
    db
      .select({ name: site.name, description: site.description, url: site.url, announcement: site.announcement })
      .from(site)
      .where(eq(site.id, 1))
      .limit(1),
  );
}

export async function upsertSite({ db, values }: { db: Db; values: Site }): Promise<void> {
  const { site } = tablesOf(db);
  await db
    .insert(site)
    .values({ id: 1, ...values })
    .onConflictDoUpdate({ target: site.id, set: values });
}
