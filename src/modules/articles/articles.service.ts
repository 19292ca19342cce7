import type { Db } from '../../db/client.js';
import { collectionJson, decodeCursor, splitPage } from '../../http/cursor.js';
import { notFound } from '../../http/errors.js';
import { findPublicArticleDocument, listPublicSummaryDocuments } from './articles.documents.js';
import { findPublicRedirect } from './articles.repository.js';

export type PublicArticleResult =
  | { kind: 'article'; json: string; articleId: number; productIds: number[] }
  | { kind: 'moved'; slug: string };

/** One public article as its JSON document, built by a single statement; or where it moved to. */
export async function getPublicArticle({
  db,
  slug,
  now,
}: {
  db: Db;
  slug: string;
  now: Date;
}): Promise<PublicArticleResult> {
  const at = now.toISOString();
  const found = await findPublicArticleDocument({ db, slug, now: at });
  if (found) return { kind: 'article', json: found.json, articleId: found.id, productIds: found.productIds };
  const movedTo = await findPublicRedirect({ db, slug, now: at });
  if (movedTo) return { kind: 'moved', slug: movedTo };
  throw notFound(`No published article has the slug "${slug}".`);
}

/** A page of public summaries as a JSON body, and the article ids it holds. */
export async function listPublicArticleSummaries({
  db,
  now,
  limit,
  cursor,
  tag,
}: {
  db: Db;
  now: Date;
  limit: number;
  cursor?: string | undefined;
  tag?: string | undefined;
}) {
  const after = decodeCursor<[string, number]>(cursor, ['string', 'number']);
  const rows = await listPublicSummaryDocuments({
    db,
    now: now.toISOString(),
    limit: limit + 1,
    ...(after ? { after: { publishedAt: after[0], id: after[1] } } : {}),
    ...(tag ? { tagSlug: tag } : {}),
  });
  const page = splitPage(rows, limit, (r) => [r.publishedAt, r.id]);
  return {
    json: collectionJson(
      page.rows.map((r) => r.doc),
      { limit, nextCursor: page.nextCursor },
    ),
    articleIds: page.rows.map((r) => r.id),
  };
}
