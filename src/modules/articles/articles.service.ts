import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { markSnippet, searchWords } from '../../db/text-search.js';
import { collectionJson, decodeCursor, splitPage } from '../../http/cursor.js';
import { badRequest, notFound } from '../../http/errors.js';
import {
  type ArticleSort,
  countPublicSummaries,
  findPublicArticleDocument,
  listPublicSummaryDocuments,
  type SummaryFilters,
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

/** Names a list (its search or sort and filters) inside its cursors, so a cursor only continues its own list. */
function listName(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

export interface ArticleListOptions {
  db: Db;
  now: Date;
  limit: number;
  cursor?: string | undefined;
  /** One tag slug, or several (any of them). */
  tag?: string | string[] | undefined;
  product?: string | undefined;
  publishedAfter?: string | undefined;
  publishedBefore?: string | undefined;
  sort?: ArticleSort | undefined;
  count?: boolean | undefined;
}

/** A page of public summaries as a JSON body, and the article ids it holds. */
export async function listPublicArticleSummaries(options: ArticleListOptions) {
  const { db, now, limit, cursor, sort = '-publishedAt', count = false } = options;
  // Sorted and unique, so the same tags in any order are one list (one cursor, one statement).
  const tagSlugs = typeof options.tag === 'string' ? [options.tag] : [...new Set(options.tag)].sort();
  const filters: SummaryFilters = {
    tagSlugs,
    productSlug: options.product,
    publishedFrom: options.publishedAfter && new Date(options.publishedAfter).toISOString(),
    publishedUntil: options.publishedBefore && new Date(options.publishedBefore).toISOString(),
  };
  const list = listName([sort, filters]);
  const after = decodeCursor<[string, string, number]>(cursor, ['string', 'string', 'number']);
  if (after && after[0] !== list) throw invalidCursor();
  const at = now.toISOString();
  const rows = await listPublicSummaryDocuments({
    db,
    now: at,
    limit: limit + 1,
    sort,
    filters,
    after: after ? { key: after[1], id: after[2] } : undefined,
  });
  const page = splitPage(rows, limit, (r) => [list, r.key, r.id]);
  const total = count ? { total: await countPublicSummaries({ db, now: at, filters }) } : {};
  return {
    json: collectionJson(
      page.rows.map((r) => r.doc),
      { limit, nextCursor: page.nextCursor, ...total },
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
  rankWindow,
}: {
  db: Db;
  now: Date;
  limit: number;
  cursor?: string | undefined;
  q: string;
  /** Matches ranked together, newest first (SEARCH_RANK_WINDOW). */
  rankWindow: number;
}) {
  const words = searchWords(q);
  if (words.length === 0)
    throw badRequest('The search needs at least one letter or digit.', [
      { location: 'query', pointer: '/q', message: 'No letters or digits' },
    ]);
  // The cursor names its search, so a cursor from another list is refused instead of skipping rows.
  const list = listName(['q', words]);
  // It also carries its ranking window, so the next page ranks the same matches together.
  const after = decodeCursor<[string, number, number, number, number]>(cursor, [
    'string',
    'number',
    'number',
    'number',
    'number',
  ]);
  if (after && after[0] !== list) throw invalidCursor();
  const rows = await searchPublicSummaryDocuments({
    db,
    now: now.toISOString(),
    words,
    limit: limit + 1,
    rankWindow,
    after: after ? { from: after[1], below: after[2], rank: after[3], id: after[4] } : undefined,
  });
  const page = splitPage(rows, limit, (r) => [list, r.from, r.below, r.rank, r.id]);
  return {
    json: collectionJson(
      page.rows.map((r) => `${r.doc.slice(0, -1)},"snippet":${JSON.stringify(markSnippet(r.passage ?? ''))}}`),
      { limit, nextCursor: page.nextCursor },
    ),
    articleIds: page.rows.map((r) => r.id),
  };
}
