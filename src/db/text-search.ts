import { inArray, type SQL, sql } from 'drizzle-orm';
import {
  POSTGRES_MAX_COMMENT_PROBES,
  postgresArticleHits,
  postgresArticlePassages,
  postgresArticleText,
  postgresArticleWindow,
  postgresCommentText,
  postgresNewestCommentIds,
} from './postgres/text-search.js';
import { type Db, dialectOf, type Tables } from './schema.js';
import {
  SQLITE_MAX_COMMENT_PROBES,
  sqliteArticleHits,
  sqliteArticleNthNewest,
  sqliteArticlePassages,
  sqliteArticleText,
  sqliteCommentQuery,
  sqliteCommentText,
  sqliteNewestCommentText,
} from './sqlite/text-search.js';

/** The words of a search, lowercased: letters and digits only, so they are safe in either engine's query syntax. */
export function searchWords(q: string): string[] {
  return (
    q
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, 16) ?? []
  );
}

/** A comment text search resolved against the index once per query: the words, and SQLite's FTS5 query for them. */
export interface CommentSearch {
  words: string[];
  sqliteQuery: string | null;
  /** No indexed word starts with one of the words (SQLite knows it from the index): no comment's text matches. */
  none: boolean;
}

export async function commentSearchOf(db: Db, words: string[]): Promise<CommentSearch> {
  if (dialectOf(db) === 'postgres') return { words, sqliteQuery: null, none: false };
  const sqliteQuery = await sqliteCommentQuery(db, words);
  return { words, sqliteQuery, none: sqliteQuery === null };
}

/** How a text filter meets the queue's order (see sqliteCommentText and postgresCommentText). */
export type CommentTextPlan = 'driven' | 'walked' | 'probed';

/**
 * Comments whose body or author name hold every word (each as a prefix), case-insensitively,
 * through each engine's full-text index (migration 0001): never a scan.
 */
export function commentTextMatch(
  db: Db,
  comments: Tables['comments'],
  search: CommentSearch,
  plan: CommentTextPlan = 'driven',
): SQL {
  return dialectOf(db) === 'postgres'
    ? postgresCommentText(comments, search.words, plan)
    : sqliteCommentText(comments, search.sqliteQuery, plan);
}

/** A condition on comments: among the newest `limit` comments matching the words, whatever their status. */
export async function newestCommentTextMatch(
  db: Db,
  comments: Tables['comments'],
  search: CommentSearch,
  limit: number,
): Promise<SQL> {
  if (dialectOf(db) === 'sqlite') return sql`${comments.id} in ${sqliteNewestCommentText(search.sqliteQuery, limit)}`;
  return inArray(comments.id, await postgresNewestCommentIds(db, search.words, limit));
}

/** The most comments a page may test one by one (the 'probed' plan) before reading every match is cheaper. */
export function maxCommentProbes(db: Db): number {
  return dialectOf(db) === 'postgres' ? POSTGRES_MAX_COMMENT_PROBES : SQLITE_MAX_COMMENT_PROBES;
}

/**
 * The cheapest way to list a page under the text filter, from what the newest matches showed:
 * every match known (`exact`) or the share of comments matching. SQLite walks an article's index
 * rather than sort its matches; PostgreSQL looks up known matches by id, whatever the filter.
 */
export function commentTextPlan(
  db: Db,
  sample: { exact: boolean; share?: number | undefined },
  scoped: boolean,
  limit: number,
): CommentTextPlan {
  if (sample.exact) return scoped && dialectOf(db) === 'sqlite' ? 'walked' : 'driven';
  return (limit + 1) / (sample.share ?? 0) <= maxCommentProbes(db) ? 'probed' : 'walked';
}

/**
 * How the batches of a decision by filter meet the text filter: each walks ids on from the last
 * batch. SQLite reads the matches into a set per batch (a probe costs a seek per word and FTS5
 * segment); PostgreSQL looks each comment passed up by id (a set of every match, rebuilt per batch,
 * cost 0.5 s for a name in 1 comment of 16 at 1M, the probes 20 ms).
 */
export function batchCommentTextPlan(db: Db): CommentTextPlan {
  return dialectOf(db) === 'postgres' ? 'probed' : 'walked';
}

/** The searchable text of an article (headings; summary, intro, leads, tips and conclusion), over `articles` rows. */
export function articleSearchText(db: Db) {
  return dialectOf(db) === 'postgres' ? postgresArticleText() : sqliteArticleText();
}

/**
 * Articles whose search text holds every word, stemmed for English, with ids in the window, through
 * each engine's index (migration 0002): a derived table `(article_id, rank)`, lower rank is more relevant.
 */
export function articleSearchHits(db: Db, words: string[], window: IdWindow): SQL {
  return dialectOf(db) === 'postgres' ? postgresArticleHits(words, window) : sqliteArticleHits(words, window);
}

/** A range of article ids, `from` inclusive and `below` exclusive: the matches one ranking pass scores. */
export interface IdWindow {
  from: number;
  below: number;
}

/**
 * The ranking window below `below`: the ids down to the `size`-th newest article holding every
 * word (from 0 when fewer match). SQLite finds that article in its doclists; PostgreSQL may only
 * estimate the bound from the matches' share among the newest documents (postgresArticleWindow).
 */
export async function articleSearchWindow(db: Db, words: string[], below: number, size: number): Promise<IdWindow> {
  if (dialectOf(db) === 'postgres') return postgresArticleWindow(db, words, below, size);
  const [row] = await db
    .select({ id: sql<number>`nth.article_id` })
    .from(sql`(${sqliteArticleNthNewest(words, below, size)}) as nth`);
  return { from: row ? Number(row.id) : 0, below };
}

// Private-use characters mark matches inside the engine's passage; the text is escaped before they become tags.
const OPEN = '\uE000';
const CLOSE = '\uE001';

/** A query of the engine's best passage of each article `ids` names (at least one) around the words, `(article_id, passage)`, matches marked for `markSnippet`. */
export function articleSearchPassages(db: Db, words: string[], ids: number[]): SQL {
  return dialectOf(db) === 'postgres'
    ? postgresArticlePassages(words, ids, OPEN, CLOSE)
    : sqliteArticlePassages(words, ids, OPEN, CLOSE);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A passage as safe HTML text: everything escaped, then only the match markers become <mark> tags. */
export function markSnippet(passage: string): string {
  return passage
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
    .replaceAll(OPEN, '<mark>')
    .replaceAll(CLOSE, '</mark>');
}
