import { asc, desc, eq, sql } from 'drizzle-orm';
import { type Db, tablesOf } from '../../db/schema.js';
import { isPublic } from '../../db/visibility.js';

// Feeds and the sitemap only ever show what the public API shows: published and due (one rule, src/db/visibility.ts).

/** Every public article's slug and last change, newest first (the public list's index order). */
export async function listPublicArticleLocations({ db, now }: { db: Db; now: string }) {
  const { articles } = tablesOf(db);
  return db
    .select({ slug: articles.slug, updatedAt: articles.updatedAt })
    .from(articles)
    .where(isPublic(articles, now))
    .orderBy(desc(articles.publishedAt), desc(articles.id));
}

export async function listProductLocations({ db }: { db: Db }) {
  const { products } = tablesOf(db);
  return db.select({ slug: products.slug, updatedAt: products.updatedAt }).from(products).orderBy(asc(products.slug));
}

/** Tags with at least one public article: a tag page with nothing on it is not worth indexing. */
export async function listPublicTagLocations({ db, now }: { db: Db; now: string }) {
  const { articles, tags, articleTags } = tablesOf(db);
  return db
    .select({ slug: tags.slug })
    .from(tags)
    .where(
      sql`exists (select 1 from ${articleTags} join ${articles} on ${articles.id} = ${articleTags.articleId} where ${articleTags.tagId} = ${tags.id} and ${isPublic(articles, now)})`,
    )
    .orderBy(asc(tags.slug));
}

export async function findTagName({ db, slug }: { db: Db; slug: string }): Promise<string | undefined> {
  const { tags } = tablesOf(db);
  return (await db.select({ name: tags.name }).from(tags).where(eq(tags.slug, slug)).limit(1))[0]?.name;
}
