import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { articles, contentVersion, instanceSecrets } from '../../db/schema.js';

export async function getContentVersion({ db }: { db: Db }): Promise<number> {
  const row = await db.select({ version: contentVersion.version }).from(contentVersion).where(eq(contentVersion.id, 1)).get();
  return row?.version ?? 0;
}

/** Publication times still to come, soonest first: when each passes, what the public sees changes. */
export async function listUpcomingPublicationTimes({ db, now, limit }: { db: Db; now: string; limit: number }): Promise<string[]> {
  const rows = await db
    .select({ publishedAt: articles.publishedAt })
    .from(articles)
    .where(and(eq(articles.status, 'published'), gt(articles.publishedAt, now)))
    .orderBy(asc(articles.publishedAt))
    .limit(limit);
  return rows.map((r) => r.publishedAt).filter((t): t is string => t !== null);
}

export async function getInstanceSecret({ db, name }: { db: Db; name: string }): Promise<string | undefined> {
  const row = await db.select({ value: instanceSecrets.value }).from(instanceSecrets).where(eq(instanceSecrets.name, name)).get();
  return row?.value;
}
