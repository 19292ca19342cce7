import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { type Db, tablesOf } from '../../db/schema.js';
import { isPublic } from '../../db/visibility.js';

export interface TagRow {
  id: number;
  slug: string;
  name: string;
  articleCount: number;
}

/** Tags with their number of public articles: tags without any drop out of the join. */
function countedTags(db: Db, now: string, where?: SQL) {
  const { articles, articleTags, tags } = tablesOf(db);
  return db
    .select({ id: tags.id, slug: tags.slug, name: tags.name, articleCount: sql<number>`cast(count(*) as integer)` })
    .from(tags)
    .innerJoin(articleTags, eq(articleTags.tagId, tags.id))
    .innerJoin(articles, eq(articles.id, articleTags.articleId))
    .where(and(isPublic(articles, now), where))
    .groupBy(tags.id, tags.slug, tags.name);
}

/** Tags with at least one public article, by slug, after the cursor's slug, each with its number of public articles. */
export async function listPublicTags({
  db,
  now,
  limit,
  afterSlug,
}: {
  db: Db;
  now: string;
  limit: number;
  afterSlug?: string | undefined;
}): Promise<TagRow[]> {
  const { tags } = tablesOf(db);
  const rows = await countedTags(db, now, afterSlug === undefined ? undefined : gt(tags.slug, afterSlug))
    .orderBy(asc(tags.slug))
    .limit(limit);
  return rows.map((row) => ({ ...row, articleCount: Number(row.articleCount) }));
}

/** One tag with its number of public articles; undefined when unknown or without any. */
export async function findPublicTag({ db, slug, now }: { db: Db; slug: string; now: string }) {
  const { tags } = tablesOf(db);
  const [row] = await countedTags(db, now, eq(tags.slug, slug));
  return row ? { ...row, articleCount: Number(row.articleCount) } : undefined;
}
