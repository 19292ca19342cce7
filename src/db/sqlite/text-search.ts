import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Tables } from '../schema.js';
import type { IdWindow } from '../text-search.js';

const matchOf = (words: string[]) => words.map((word) => `"${word}"*`).join(' ');

/**
 * FTS5 external-content table `comments_fts` (body, author_name), kept by triggers. With
 * `manyMatches`, `+id` keeps SQLite from driving the query by the matches (fetching and sorting
 * each one): it walks the queue's order index instead and tests membership, which stops early.
 */
export function sqliteCommentText(comments: Tables['comments'], words: string[], manyMatches: boolean): SQL {
  const id = manyMatches ? sql`+${comments.id}` : sql`${comments.id}`;
  return sql`${id} in (select rowid from comments_fts where comments_fts match ${matchOf(words)})`;
}

/** The ids of the newest `limit` matches, read from the index in rowid order: it stops there. */
export function sqliteNewestCommentText(words: string[], limit: number): SQL {
  return sql`(select rowid from comments_fts where comments_fts match ${matchOf(words)} order by rowid desc limit ${limit})`;
}

/** The searchable text of each `articles` row, as migration 0002 backfills it (sections and tips in order). */
export function sqliteArticleText() {
  // Spelled out with table names: drizzle leaves columns unqualified inside INSERT … SELECT.
  return {
    headings: sql<string>`coalesce((select group_concat(s.heading, char(10) order by s.position) from sections s where s.article_id = articles.id), '')`,
    body: sql<string>`concat_ws(char(10), articles.summary, articles.intro,
      (select group_concat(s.lead, char(10) order by s.position) from sections s where s.article_id = articles.id),
      (select group_concat(t.title || char(10) || t.body, char(10) order by s.position, t.position) from tips t join sections s on s.id = t.section_id where s.article_id = articles.id),
      articles.conclusion)`,
  };
}

const ftsQuery = (words: string[]) => words.map((word) => `"${word}"`).join(' ');

/**
 * Articles holding every word (Porter-stemmed) with ids in the window, as a derived table
 * `hit(article_id, rank)`; rank is bm25 with title 10, headings 5, body 1: lower is better. FTS5
 * seeks the rowid range in its doclists, so only the window's matches are scored; the bounds are
 * cast because a bound REAL (as JavaScript numbers bind) makes FTS5 scan every match instead.
 */
export function sqliteArticleHits(words: string[], window: IdWindow): SQL {
  return sql`(select rowid as article_id, bm25(article_search_fts, 10.0, 5.0, 1.0) as rank from article_search_fts where article_search_fts match ${ftsQuery(words)} and rowid >= cast(${window.from} as integer) and rowid < cast(${window.below} as integer))`;
}

/** The id of the `nth` newest article below `below` holding every word: FTS5 walks its doclists in rowid order, scoring nothing (cast as above). */
export function sqliteArticleNthNewest(words: string[], below: number, nth: number): SQL {
  return sql`select rowid as article_id from article_search_fts where article_search_fts match ${ftsQuery(words)} and rowid < cast(${below} as integer) order by rowid desc limit 1 offset ${nth - 1}`;
}

/** The best passage of one article around the words, the matches between `open` and `close`. */
export function sqliteArticleSnippet(articleId: SQLWrapper, words: string[], open: string, close: string): SQL {
  return sql`(select snippet(article_search_fts, -1, ${open}, ${close}, '…', 24) from article_search_fts where article_search_fts match ${ftsQuery(words)} and rowid = ${articleId})`;
}
