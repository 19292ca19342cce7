import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { type Db, tablesOf } from '../../db/schema.js';
import { copiedInputs, isPublic } from '../../db/visibility.js';

export interface TagRow {
  id: number;
  slug: string;
  name: string;
  articleCount: number;
}

/**
 * Tags with their number of public articles, walked by slug: each count is a range of
 * article_tags_date_idx over the links' copies of their article's visibility (kept by triggers),
 * so a page reads its tags' links only and no article. A tag without any drops out at its first probe.
 */
function countedTags(db: Db, now: string, where?: SQL) {
  const { articleTags, tags } = tablesOf(db);
  const publicLinks = sql`${articleTags} where ${articleTags.tagId} = ${tags.id} and ${isPublic(copiedInputs(articleTags), now)}`;
  return db
    .select({
      id: tags.id,
      slug: tags.slug,
      name: tags.name,
      articleCount: sql<number>`(select cast(count(*) as integer) from ${publicLinks})`,
    })
    .from(tags)
    .where(and(where, sql`exists (select 1 from ${publicLinks})`));
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
