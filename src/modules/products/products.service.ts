import type { Db } from '../../db/client.js';
import { decodeCursor, splitPage } from '../../http/cursor.js';
import { notFound } from '../../http/errors.js';
import { imageOf } from '../articles/articles.repository.js';
import {
  findProductBySlug,
  listProducts,
  listPublicArticlesFeaturing,
  type ProductRow,
  priceOf,
} from './products.repository.js';
import type { FeaturingArticle, Product } from './products.schemas.js';

/** The product fields every representation shares, from a row. */
export function productContentOf(row: ProductRow) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    summary: row.summary,
    description: row.description,
    url: row.url,
    image: imageOf(row.imageUrl, row.imageAlt, row.imageCaption),
    price: priceOf(row.priceAmount, row.priceCurrency),
    badges: row.badges,
    suitableFor: row.suitableFor,
    inStock: row.inStock,
  };
}

function toProduct(row: ProductRow, featuring: FeaturingArticle[]): Product {
  return { ...productContentOf(row), articles: featuring };
}

export async function getPublicProduct({ db, slug, now }: { db: Db; slug: string; now: Date }): Promise<Product> {
  const row = await findProductBySlug({ db, slug });
  if (!row) throw notFound(`No product has the slug "${slug}".`);
  const featuring = await listPublicArticlesFeaturing({ db, productIds: [row.id], now: now.toISOString() });
  return toProduct(row, featuring.get(row.id) ?? []);
}

export async function listPublicProducts({
  db,
  now,
  limit,
  cursor,
}: {
  db: Db;
  now: Date;
  limit: number;
  cursor?: string;
}) {
  const after = decodeCursor<[string, number]>(cursor, ['string', 'number']);
  const rows = await listProducts({ db, limit, ...(after ? { after: { name: after[0], id: after[1] } } : {}) });
  const page = splitPage(rows, limit, (r) => [r.name, r.id]);
  const featuring = await listPublicArticlesFeaturing({
    db,
    productIds: page.rows.map((r) => r.id),
    now: now.toISOString(),
  });
  return {
    data: page.rows.map((r) => toProduct(r, featuring.get(r.id) ?? [])),
    meta: { limit, nextCursor: page.nextCursor },
  };
}
