import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { articles, articleTags, products, tags } from '../../db/schema.js';

// Feeds and the sitemap only ever show what the public API shows: published and due.
const isPublicAt = (now: string) => and(eq(articles.status, 'published'), sql`${articles.publishedAt} <= ${now}`);

/** Every public article's slug and last change, newest first (the public list's index order). */
export async function listPublicArticleLocations({ db, now }: { db: Db; now: string }) {
  return db
    .select({ slug: articles.slug, updatedAt: articles.updatedAt })
    .from(articles)
    .where(isPublicAt(now))
    .orderBy(desc(articles.publishedAt), desc(articles.id));
}

export async function listProductLocations({ db }: { db: Db }) {
  return db.select({ slug: products.slug, updatedAt: products.updatedAt }).from(products).orderBy(asc(products.slug));
}

/** Tags with at least one public article: a tag page with nothing on it is not worth indexing. */
export async function listPublicTagLocations({ db, now }: { db: Db; now: string }) {
  return db
    .select({ slug: tags.slug })
    .from(tags)
    .where(
      sql`exists (select 1 from ${articleTags} join ${articles} on ${articles.id} = ${articleTags.articleId} where ${articleTags.tagId} = ${tags.id} and ${isPublicAt(now)})`,
    )
    .orderBy(asc(tags.slug));
}

export async function findTagName({ db, slug }: { db: Db; slug: string }): Promise<string | undefined> {
  return (await db.select({ name: tags.name }).from(tags).where(eq(tags.slug, slug)).limit(1))[0]?.name;
}
