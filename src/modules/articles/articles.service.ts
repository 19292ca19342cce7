import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { markSnippet, searchWords } from '../../db/text-search.js';
import { collectionJson, decodeCursor, splitPage } from '../../http/cursor.js';
import { badRequest, notFound } from '../../http/errors.js';
import {
  findPublicArticleDocument,
  listPublicSummaryDocuments,
  searchPublicSummaryDocuments,
} from './articles.documents.js';
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

const invalidCursor = () =>
  badRequest('The cursor belongs to another list (other search or filters); use meta.nextCursor from this one.', [
    { location: 'query', pointer: '/cursor', message: 'Cursor from another list' },
  ]);

/** A page of public articles matching a search, most relevant first, each with its marked passage. */
export async function searchPublicArticleSummaries({
  db,
  now,
  limit,
  cursor,
  q,
}: {
  db: Db;
  now: Date;
  limit: number;
  cursor?: string | undefined;
  q: string;
}) {
  const words = searchWords(q);
  if (words.length === 0)
    throw badRequest('The search needs at least one letter or digit.', [
      { location: 'query', pointer: '/q', message: 'No letters or digits' },
    ]);
  // The cursor names its search, so a cursor from another list is refused instead of skipping rows.
  const list = `q:${createHash('sha256').update(words.join(' ')).digest('base64url').slice(0, 12)}`;
  const after = decodeCursor<[string, number, number]>(cursor, ['string', 'number', 'number']);
  if (after && after[0] !== list) throw invalidCursor();
  const rows = await searchPublicSummaryDocuments({
    db,
    now: now.toISOString(),
    words,
    limit: limit + 1,
    after: after ? { rank: after[1], id: after[2] } : undefined,
  });
  const page = splitPage(rows, limit, (r) => [list, r.rank, r.id]);
  return {
    json: collectionJson(
      page.rows.map((r) => `${r.doc.slice(0, -1)},"snippet":${JSON.stringify(markSnippet(r.passage ?? ''))}}`),
      { limit, nextCursor: page.nextCursor },
    ),
    articleIds: page.rows.map((r) => r.id),
  };
}
