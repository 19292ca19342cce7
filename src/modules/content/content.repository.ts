import { eq, sql } from 'drizzle-orm';
import { preparedPer } from '../../db/prepared.js';
import { first } from '../../db/query.js';
import { type Db, tablesOf } from '../../db/schema.js';

// Read on every public request: prepared once per connection.
const versionQuery = preparedPer((db: Db) => {
  const { contentVersion } = tablesOf(db);
  return db
    .select({ version: contentVersion.version })
    .from(contentVersion)
    .where(eq(contentVersion.id, 1))
    .prepare('content_version');
});

export async function getContentVersion({ db }: { db: Db }): Promise<number> {
  return (await versionQuery(db).execute())[0]?.version ?? 0;
}

const horizonQuery = preparedPer((db: Db) => {
  const { articles, contentVersion } = tablesOf(db);
  const published = eq(articles.status, 'published');
  return db
    .select({
      passed: sql<
        string | null
      >`(select max(${articles.publishedAt}) from ${articles} where ${published} and ${articles.publishedAt} <= ${sql.placeholder('now')})`,
      next: sql<
        string | null
      >`(select min(${articles.publishedAt}) from ${articles} where ${published} and ${articles.publishedAt} > ${sql.placeholder('now')})`,
    })
    .from(contentVersion)
    .where(eq(contentVersion.id, 1))
    .prepare('publication_horizon');
});

/**
 * The latest publication time already passed and the next one still to come. Read from the
 * database, so every process (and a restarted one) derives the same value at the same moment.
 */
export async function getPublicationHorizon({
  db,
  now,
}: {
  db: Db;
  now: string;
}): Promise<{ passed: string | null; next: string | null }> {
  return (await horizonQuery(db).execute({ now }))[0] ?? { passed: null, next: null };
}

export async function getInstanceSecret({ db, name }: { db: Db; name: string }): Promise<string | undefined> {
  const { instanceSecrets } = tablesOf(db);
  const row = await first(
    db.select({ value: instanceSecrets.value }).from(instanceSecrets).where(eq(instanceSecrets.name, name)).limit(1),
  );
  return row?.value;
}
