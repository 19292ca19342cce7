import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { preparedPer } from '../../db/prepared.js';
import { articles, contentVersion, instanceSecrets } from '../../db/schema.js';

// Read on every public request: prepared once per connection.
const versionQuery = preparedPer((db: Db) =>
  db.select({ version: contentVersion.version }).from(contentVersion).where(eq(contentVersion.id, 1)).prepare(),
);

export async function getContentVersion({ db }: { db: Db }): Promise<number> {
  return versionQuery(db).get()?.version ?? 0;
}

const published = eq(articles.status, 'published');

const horizonQuery = preparedPer((db: Db) =>
  db
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
    .prepare(),
);

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
  return horizonQuery(db).get({ now }) ?? { passed: null, next: null };
}

export async function getInstanceSecret({ db, name }: { db: Db; name: string }): Promise<string | undefined> {
  const row = await db
    .select({ value: instanceSecrets.value })
    .from(instanceSecrets)
    .where(eq(instanceSecrets.name, name))
    .get();
  return row?.value;
}
