import { eq } from 'drizzle-orm';
import { forUpdate } from '../../db/locks.js';
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

/** The site row, locked for the rest of the transaction that will change it (If-Match is checked against it). */
export async function lockSite({ db }: { db: Db }): Promise<Site | undefined> {
  const { site } = tablesOf(db);
  const query = db
    .select({ name: site.name, description: site.description, url: site.url, announcement: site.announcement })
    .from(site)
    .where(eq(site.id, 1))
    .limit(1)
    .$dynamic();
  return first(forUpdate(db, query));
}
