import { asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { type Db, tablesOf } from '../../db/schema.js';
import { copiedInputs, isPublic } from '../../db/visibility.js';

// Feeds and the sitemap only ever show what the public API shows: published and due (one rule, src/db/visibility.ts).

/** A slice of a list: skip `offset` rows, then at most `limit`. */
export interface Slice {
  offset: number;
  limit: number;
}

/** Public articles' slugs and last changes, newest first (the public list's index order), one slice of them. */
export async function listPublicArticleLocations({ db, now, slice }: { db: Db; now: string; slice: Slice }) {
  const { articles } = tablesOf(db);
  return db
    .select({ slug: articles.slug, updatedAt: articles.updatedAt })
    .from(articles)
    .where(isPublic(articles, now))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(slice.limit)
    .offset(slice.offset);
}

export async function listProductLocations({ db, slice }: { db: Db; slice: Slice }) {
  const { products } = tablesOf(db);
  return db
    .select({ slug: products.slug, updatedAt: products.updatedAt })
    .from(products)
    .orderBy(asc(products.slug))
    .limit(slice.limit)
    .offset(slice.offset);
}

/** A tag has a public article: one probe of its links' copies of their article's visibility. */
function hasPublicArticle(db: Db, now: string): SQL {
  const { tags, articleTags } = tablesOf(db);
  return sql`exists (select 1 from ${articleTags} where ${articleTags.tagId} = ${tags.id} and ${isPublic(copiedInputs(articleTags), now)})`;
}

/** Tags with at least one public article (a tag page with nothing on it is not worth indexing), by slug, one slice of them. */
export async function listPublicTagLocations({ db, now, slice }: { db: Db; now: string; slice: Slice }) {
  const { tags } = tablesOf(db);
  return db
    .select({ slug: tags.slug })
    .from(tags)
    .where(hasPublicArticle(db, now))
    .orderBy(asc(tags.slug))
    .limit(slice.limit)
    .offset(slice.offset);
}

/** How many locations each list above holds, each counted over an index alone. */
export async function countSitemapLocations({ db, now }: { db: Db; now: string }) {
  const { articles, products, tags } = tablesOf(db);
  const n = sql<number>`cast(count(*) as integer)`;
  const [[a], [p], [t]] = await Promise.all([
    db.select({ n }).from(articles).where(isPublic(articles, now)),
    db.select({ n }).from(products),
    db.select({ n }).from(tags).where(hasPublicArticle(db, now)),
  ]);
  return { articles: Number(a?.n ?? 0), products: Number(p?.n ?? 0), tags: Number(t?.n ?? 0) };
}

export async function findTagName({ db, slug }: { db: Db; slug: string }): Promise<string | undefined> {
  const { tags } = tablesOf(db);
  return (await db.select({ name: tags.name }).from(tags).where(eq(tags.slug, slug)).limit(1))[0]?.name;
}
