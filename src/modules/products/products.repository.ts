import { and, asc, desc, eq, gt, inArray, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { articleProducts, articles, products } from '../../db/schema.js';
import { isPublic } from '../articles/articles.repository.js';
import type { FeaturingArticle } from './products.schemas.js';

export type ProductRow = typeof products.$inferSelect;

export function priceOf(amount: number | null, currency: string | null) {
  return amount === null || currency === null ? null : { amount, currency };
}

export async function findProductBySlug({ db, slug }: { db: Db; slug: string }): Promise<ProductRow | undefined> {
  return db.select().from(products).where(eq(products.slug, slug)).get();
}

/** By name, ties by id, keyset-paginated; fetches limit + 1 rows. */
export async function listProducts({ db, limit, after }: { db: Db; limit: number; after?: { name: string; id: number } }): Promise<ProductRow[]> {
  const conditions: SQL[] = [];
  if (after) conditions.push(or(gt(products.name, after.name), and(eq(products.name, after.name), gt(products.id, after.id)))!);
  return db
    .select()
    .from(products)
    .where(and(...conditions))
    .orderBy(asc(products.name), asc(products.id))
    .limit(limit + 1);
}

/** Published, due articles featuring each product, newest first. */
export async function listPublicArticlesFeaturing({ db, productIds, now }: { db: Db; productIds: number[]; now: string }): Promise<Map<number, FeaturingArticle[]>> {
  const byProduct = new Map<number, FeaturingArticle[]>();
  if (productIds.length === 0) return byProduct;
  const rows = await db
    .select({ productId: articleProducts.productId, id: articles.id, slug: articles.slug, title: articles.title, publishedAt: articles.publishedAt })
    .from(articleProducts)
    .innerJoin(articles, eq(articles.id, articleProducts.articleId))
    .where(and(inArray(articleProducts.productId, productIds), isPublic(now)))
    .orderBy(desc(articles.publishedAt), desc(articles.id));
  for (const { productId, id, slug, title, publishedAt } of rows) {
    const list = byProduct.get(productId) ?? [];
    list.push({ id, slug, title, publishedAt: publishedAt as string });
    byProduct.set(productId, list);
  }
  return byProduct;
}

export type NewProduct = Omit<typeof products.$inferInsert, 'id'>;
export type NewArticleProduct = Omit<typeof articleProducts.$inferInsert, 'id' | 'articleId'>;

export async function insertProduct({ db, values }: { db: Db; values: NewProduct }): Promise<number> {
  const row = await db.insert(products).values(values).returning({ id: products.id }).get();
  return row.id;
}

/** Replaces an article's product links as a whole. */
export async function replaceArticleProducts({ db, articleId, links }: { db: Db; articleId: number; links: NewArticleProduct[] }): Promise<void> {
  await db.delete(articleProducts).where(eq(articleProducts.articleId, articleId));
  if (links.length === 0) return;
  await db.insert(articleProducts).values(links.map((link) => ({ ...link, articleId })));
}
