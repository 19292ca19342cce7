import { and, asc, desc, eq, gt, inArray, like, lt, or, type SQL } from 'drizzle-orm';
import { first } from '../../db/query.js';
import { type Db, type ProductRow, type Tables, tablesOf } from '../../db/schema.js';
import { isPublic } from '../../db/visibility.js';
import type { FeaturingArticle } from './products.schemas.js';

export type { ProductRow } from '../../db/schema.js';

export function priceOf(amount: number | null, currency: string | null) {
  return amount === null || currency === null ? null : { amount, currency };
}

export async function findProductBySlug({ db, slug }: { db: Db; slug: string }): Promise<ProductRow | undefined> {
  const { products } = tablesOf(db);
  return first(db.select().from(products).where(eq(products.slug, slug)).limit(1));
}

/** By name, ties by id, keyset-paginated; fetches limit + 1 rows. */
export async function listProducts({
  db,
  limit,
  after,
}: {
  db: Db;
  limit: number;
  after?: { name: string; id: number };
}): Promise<ProductRow[]> {
  const { products } = tablesOf(db);
  const conditions: SQL[] = [];
  if (after)
    conditions.push(or(gt(products.name, after.name), and(eq(products.name, after.name), gt(products.id, after.id)))!);
  return db
    .select()
    .from(products)
    .where(and(...conditions))
    .orderBy(asc(products.name), asc(products.id))
    .limit(limit + 1);
}

/** Published, due articles featuring each product, newest first. */
export async function listPublicArticlesFeaturing({
  db,
  productIds,
  now,
}: {
  db: Db;
  productIds: number[];
  now: string;
}): Promise<Map<number, FeaturingArticle[]>> {
  const { articles, articleProducts } = tablesOf(db);
  const byProduct = new Map<number, FeaturingArticle[]>();
  if (productIds.length === 0) return byProduct;
  const rows = await db
    .select({
      productId: articleProducts.productId,
      id: articles.id,
      slug: articles.slug,
      title: articles.title,
      publishedAt: articles.publishedAt,
    })
    .from(articleProducts)
    .innerJoin(articles, eq(articles.id, articleProducts.articleId))
    .where(and(inArray(articleProducts.productId, productIds), isPublic(articles, now)))
    .orderBy(desc(articles.publishedAt), desc(articles.id));
  for (const { productId, id, slug, title, publishedAt } of rows) {
    const list = byProduct.get(productId) ?? [];
    list.push({ id, slug, title, publishedAt: publishedAt as string });
    byProduct.set(productId, list);
  }
  return byProduct;
}

export type NewProduct = Omit<Tables['products']['$inferInsert'], 'id'>;
export type NewArticleProduct = Omit<Tables['articleProducts']['$inferInsert'], 'id' | 'articleId'>;

export async function insertProduct({ db, values }: { db: Db; values: NewProduct }): Promise<number> {
  const { products } = tablesOf(db);
  const [row] = await db.insert(products).values(values).returning({ id: products.id });
  return row!.id;
}

/** Replaces an article's product links as a whole. */
export async function replaceArticleProducts({
  db,
  articleId,
  links,
}: {
  db: Db;
  articleId: number;
  links: NewArticleProduct[];
}): Promise<void> {
  const { articleProducts } = tablesOf(db);
  await db.delete(articleProducts).where(eq(articleProducts.articleId, articleId));
  if (links.length === 0) return;
  await db.insert(articleProducts).values(links.map((link) => ({ ...link, articleId })));
}

export async function findProductsByIds({ db, ids }: { db: Db; ids: number[] }): Promise<ProductRow[]> {
  const { products } = tablesOf(db);
  if (ids.length === 0) return [];
  return db.select().from(products).where(inArray(products.id, ids));
}

export async function findProductById({ db, id }: { db: Db; id: number }): Promise<ProductRow | undefined> {
  const { products } = tablesOf(db);
  return first(db.select().from(products).where(eq(products.id, id)).limit(1));
}

/** Every product, newest first by id, keyset-paginated; fetches limit + 1 rows. */
export async function listProductsById({
  db,
  limit,
  beforeId,
}: {
  db: Db;
  limit: number;
  beforeId?: number;
}): Promise<ProductRow[]> {
  const { products } = tablesOf(db);
  return db
    .select()
    .from(products)
    .where(beforeId === undefined ? undefined : lt(products.id, beforeId))
    .orderBy(desc(products.id))
    .limit(limit + 1);
}

export async function updateProduct({
  db,
  id,
  values,
}: {
  db: Db;
  id: number;
  values: Partial<NewProduct>;
}): Promise<void> {
  const { products } = tablesOf(db);
  await db.update(products).set(values).where(eq(products.id, id));
}

export async function deleteProduct({ db, id }: { db: Db; id: number }): Promise<void> {
  const { products } = tablesOf(db);
  await db.delete(products).where(eq(products.id, id));
}

/** Articles (any status) that link the product. */
export async function listArticlesLinking({
  db,
  productId,
}: {
  db: Db;
  productId: number;
}): Promise<{ id: number; slug: string }[]> {
  const { articles, articleProducts } = tablesOf(db);
  return db
    .select({ id: articles.id, slug: articles.slug })
    .from(articleProducts)
    .innerJoin(articles, eq(articles.id, articleProducts.articleId))
    .where(eq(articleProducts.productId, productId))
    .orderBy(asc(articles.id));
}

export async function unlinkProduct({ db, productId }: { db: Db; productId: number }): Promise<number[]> {
  const { articleProducts } = tablesOf(db);
  const rows = await db
    .delete(articleProducts)
    .where(eq(articleProducts.productId, productId))
    .returning({ articleId: articleProducts.articleId });
  return rows.map((r) => r.articleId);
}

export async function listProductSlugsLike({ db, base }: { db: Db; base: string }): Promise<Set<string>> {
  const { products } = tablesOf(db);
  const rows = await db
    .select({ slug: products.slug })
    .from(products)
    .where(like(products.slug, `${base}%`));
  return new Set(rows.map((r) => r.slug));
}
