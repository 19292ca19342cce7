import { isDeepStrictEqual } from 'node:util';
import type { DatabaseHandles, Db } from '../../db/client.js';
import { type OutboxEventType, recordEvents, surrogateKeysOf } from '../../db/outbox.js';
import { decodeCursor, splitPage } from '../../http/cursor.js';
import { conflict, notFound } from '../../http/errors.js';
import { touchArticle } from '../articles/articles.repository.js';
import { firstFreeSlug, slugify } from '../articles/slugs.js';
import {
  deleteProduct,
  findProductById,
  findProductBySlug,
  insertProduct,
  listArticlesLinking,
  listProductSlugsLike,
  listProductsById,
  type NewProduct,
  type ProductRow,
  unlinkProduct,
  updateProduct,
} from './products.repository.js';
import type { AdminProduct, ProductCreate, ProductPatch } from './products.schemas.js';
import { productContentOf } from './products.service.js';

interface Context {
  db: DatabaseHandles;
  now: Date;
}

async function toAdminProduct(db: Db, row: ProductRow): Promise<AdminProduct> {
  return {
    ...productContentOf(row),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    linkedArticles: await listArticlesLinking({ db, productId: row.id }),
  };
}

function columnsOf(input: ProductPatch): Partial<NewProduct> {
  const { image, price, slug: _slug, ...plain } = input;
  const columns: Partial<NewProduct> = Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined));
  if (image !== undefined)
    Object.assign(columns, {
      imageUrl: image?.url ?? null,
      imageAlt: image?.alt ?? null,
      imageCaption: image?.caption ?? null,
    });
  if (price !== undefined)
    Object.assign(columns, { priceAmount: price?.amount ?? null, priceCurrency: price?.currency ?? null });
  return columns;
}

async function claimProductSlug(tx: Db, wanted: string | undefined, name: string, productId?: number): Promise<string> {
  if (wanted === undefined) {
    const base = slugify(name) || 'product';
    return firstFreeSlug(base, await listProductSlugsLike({ db: tx, base }));
  }
  const owner = await findProductBySlug({ db: tx, slug: wanted });
  if (owner && owner.id !== productId) throw conflict(`The slug "${wanted}" is taken by product ${owner.id}.`);
  return wanted;
}

/** Products are public as soon as they exist: every create, edit and delete is announced. */
async function recordProductEvent(
  tx: Db,
  type: OutboxEventType,
  product: { id: number; slug: string },
  articleIds: readonly number[],
  at: string,
): Promise<void> {
  const keys = surrogateKeysOf.product(product.id, articleIds);
  await recordEvents({
    tx,
    events: [{ type, kind: 'product', resourceId: product.id, slug: product.slug, surrogateKeys: keys }],
    at,
  });
}

async function requireProduct(db: Db, id: number): Promise<ProductRow> {
  const row = await findProductById({ db, id });
  if (!row) throw notFound(`No product has the id ${id}.`);
  return row;
}

export async function createProduct({ db, now }: Context, input: ProductCreate): Promise<AdminProduct> {
  const at = now.toISOString();
  return db.withTransaction(async (tx) => {
    const slug = await claimProductSlug(tx, input.slug, input.name);
    const id = await insertProduct({
      db: tx,
      values: {
        badges: [],
        suitableFor: [],
        ...columnsOf(input),
        name: input.name,
        slug,
        createdAt: at,
        updatedAt: at,
      },
    });
    await recordProductEvent(tx, 'product.updated', { id, slug }, [], at);
    return toAdminProduct(tx, await requireProduct(tx, id));
  });
}

export async function patchProduct({ db, now }: Context, id: number, input: ProductPatch): Promise<AdminProduct> {
  return db.withTransaction(async (tx) => {
    const row = await requireProduct(tx, id);
    const values = columnsOf(input);
    if (input.slug !== undefined && input.slug !== row.slug)
      values.slug = await claimProductSlug(tx, input.slug, row.name, id);
    // A PATCH that changes nothing leaves updatedAt and the linking articles' revisions alone.
    const changed = Object.entries(values).some(
      ([key, value]) => !isDeepStrictEqual(row[key as keyof ProductRow], value),
    );
    if (!changed) return toAdminProduct(tx, row);
    await updateProduct({ db: tx, id, values: { ...values, updatedAt: now.toISOString() } });
    // The product is part of every article that links it: their admin ETags must move too.
    const linking = await listArticlesLinking({ db: tx, productId: id });
    for (const article of linking) await touchArticle({ db: tx, id: article.id, at: now.toISOString() });
    await recordProductEvent(
      tx,
      'product.updated',
      { id, slug: values.slug ?? row.slug },
      linking.map((a) => a.id),
      now.toISOString(),
    );
    return toAdminProduct(tx, await requireProduct(tx, id));
  });
}

/** Refuses while articles link the product, naming them, unless forced: then the links go too. */
export async function removeProduct({ db, now }: Context, id: number, force: boolean): Promise<void> {
  await db.withTransaction(async (tx) => {
    const row = await requireProduct(tx, id);
    const linking = await listArticlesLinking({ db: tx, productId: id });
    if (linking.length > 0 && !force) {
      const names = linking.map((a) => `${a.id} (${a.slug})`).join(', ');
      throw conflict(`Articles ${names} feature this product; remove it from them or repeat with ?force=true.`);
    }
    for (const articleId of await unlinkProduct({ db: tx, productId: id }))
      await touchArticle({ db: tx, id: articleId, at: now.toISOString() });
    await deleteProduct({ db: tx, id });
    await recordProductEvent(
      tx,
      'product.deleted',
      row,
      linking.map((a) => a.id),
      now.toISOString(),
    );
  });
}

export async function getAdminProduct({ db }: Context, id: number): Promise<AdminProduct> {
  return toAdminProduct(db.read, await requireProduct(db.read, id));
}

export async function listAdminProducts({ db }: Context, query: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor<[number]>(query.cursor, ['number']);
  const rows = await listProductsById({ db: db.read, limit: query.limit, ...(after ? { beforeId: after[0] } : {}) });
  const page = splitPage(rows, query.limit, (r) => [r.id]);
  const data = [];
  for (const row of page.rows) data.push(await toAdminProduct(db.read, row));
  return { data, meta: { limit: query.limit, nextCursor: page.nextCursor } };
}
