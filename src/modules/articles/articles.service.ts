import type { Db } from '../../db/client.js';
import { decodeCursor, splitPage } from '../../http/cursor.js';
import { notFound } from '../../http/errors.js';
import { countVisibleComments } from '../comments/comments.repository.js';
import type { Article, ArticleSummary } from './articles.schemas.js';
import {
  articleContentOf,
  findPublicArticleBySlug,
  findPublicRedirect,
  imageOf,
  listProductsOfArticle,
  listPublicArticles,
  listSectionsWithTips,
  listTagsOfArticles,
} from './articles.repository.js';

export type PublicArticleResult = { kind: 'article'; article: Article; productIds: number[] } | { kind: 'moved'; slug: string };

/** One public article, whole, in a fixed number of queries; or where it moved to. */
export async function getPublicArticle({ db, slug, now }: { db: Db; slug: string; now: Date }): Promise<PublicArticleResult> {
  const at = now.toISOString();
  const row = await findPublicArticleBySlug({ db, slug, now: at });
  if (!row) {
    const movedTo = await findPublicRedirect({ db, slug, now: at });
    if (movedTo) return { kind: 'moved', slug: movedTo };
    throw notFound(`No published article has the slug "${slug}".`);
  }
  const [tagsByArticle, sections, products, counts] = [
    await listTagsOfArticles({ db, articleIds: [row.id] }),
    await listSectionsWithTips({ db, articleId: row.id }),
    await listProductsOfArticle({ db, articleId: row.id }),
    await countVisibleComments({ db, articleIds: [row.id] }),
  ];
  const article: Article = {
    ...articleContentOf(row),
    tags: tagsByArticle.get(row.id) ?? [],
    publishedAt: row.publishedAt,
    updatedAt: row.updatedAt,
    commentCount: counts.get(row.id) ?? 0,
    sections,
    products: products.map(({ productId: _productId, ...product }) => product),
  };
  return { kind: 'article', article, productIds: products.map((p) => p.productId) };
}

export async function listPublicArticleSummaries({ db, now, limit, cursor, tag }: { db: Db; now: Date; limit: number; cursor?: string; tag?: string }) {
  const after = decodeCursor<[string, number]>(cursor, ['string', 'number']);
  const rows = await listPublicArticles({
    db,
    now: now.toISOString(),
    limit,
    ...(after ? { after: { publishedAt: after[0], id: after[1] } } : {}),
    ...(tag ? { tagSlug: tag } : {}),
  });
  const page = splitPage(rows, limit, (r) => [r.publishedAt, r.id]);
  const ids = page.rows.map((r) => r.id);
  const tagsByArticle = await listTagsOfArticles({ db, articleIds: ids });
  const counts = await countVisibleComments({ db, articleIds: ids });
  const data: ArticleSummary[] = page.rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    title: r.title,
    summary: r.summary,
    image: imageOf(r.imageUrl, r.imageAlt, r.imageCaption),
    tags: tagsByArticle.get(r.id) ?? [],
    publishedAt: r.publishedAt,
    commentCount: counts.get(r.id) ?? 0,
  }));
  return { data, meta: { limit, nextCursor: page.nextCursor } };
}
