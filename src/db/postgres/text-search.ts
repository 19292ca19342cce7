import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Tables } from '../schema.js';
import type { IdWindow } from '../text-search.js';

const queryOf = (words: string[]) => words.map((word) => `${word}:*`).join(' & ');
const documentOf = (comments: Tables['comments']) =>
  sql`to_tsvector('simple', ${comments.body} || ' ' || ${comments.authorName})`;

/** The GIN index `comments_text_idx` over to_tsvector('simple', body || ' ' || author_name); same expression. */
export function postgresCommentText(comments: Tables['comments'], words: string[]): SQL {
  return sql`${documentOf(comments)} @@ to_tsquery('simple', ${queryOf(words)})`;
}

/** The ids of the newest `limit` matches (the planner weighs the GIN index against the primary key). */
export function postgresNewestCommentText(comments: Tables['comments'], words: string[], limit: number): SQL {
  return sql`(select ${comments.id} from ${comments} where ${postgresCommentText(comments, words)} order by ${comments.id} desc limit ${limit})`;
}

/** The searchable text of each `articles` row, as migration 0002 backfills it (sections and tips in order). */
export function postgresArticleText() {
  // Spelled out with table names: drizzle leaves columns unqualified inside INSERT … SELECT.
  return {
    headings: sql<string>`coalesce((select string_agg(s.heading, E'\n' order by s.position) from sections s where s.article_id = articles.id), '')`,
    body: sql<string>`concat_ws(E'\n', articles.summary, articles.intro,
      (select string_agg(s.lead, E'\n' order by s.position) from sections s where s.article_id = articles.id),
      (select string_agg(t.title || E'\n' || t.body, E'\n' order by s.position, t.position) from tips t join sections s on s.id = t.section_id where s.article_id = articles.id),
      articles.conclusion)`,
  };
}

// The stored generated column behind the GIN index article_search_document_idx (migration 0005): ranking reads it, no reparse.
const DOCUMENT = sql.raw(`"document"`);
const tsQuery = (words: string[]) => sql`plainto_tsquery('english', ${words.join(' ')})`;

/**
 * Articles holding every word (English-stemmed) with ids in the window, as a derived table `hit(article_id, rank)`; rank is
 * minus ts_rank with weights title 1, headings 0.4, body 0.2, so lower is better as on SQLite. The
 * window's bounds are kept off the primary key (`+ 0`), so the planner takes the GIN index for the match.
 */
export function postgresArticleHits(words: string[], window: IdWindow): SQL {
  return sql`(select "article_id", (-ts_rank('{0.1, 0.2, 0.4, 1.0}', ${DOCUMENT}, ${tsQuery(words)}))::float8 as rank from "article_search" where ${DOCUMENT} @@ ${tsQuery(words)} and "article_id" + 0 >= ${window.from} and "article_id" + 0 < ${window.below})`;
}

/** The id of the `nth` newest article below `below` holding every word (no ranking: ids only). */
export function postgresArticleNthNewest(words: string[], below: number, nth: number): SQL {
  return sql`select "article_id" from "article_search" where ${DOCUMENT} @@ ${tsQuery(words)} and "article_id" < ${below} order by "article_id" desc limit 1 offset ${nth - 1}`;
}

/** The best passage of one article around the words, the matches between `open` and `close`. */
export function postgresArticleSnippet(articleId: SQLWrapper, words: string[], open: string, close: string): SQL {
  const options = `StartSel=${open}, StopSel=${close}, MaxWords=35, MinWords=15, MaxFragments=1, FragmentDelimiter=" … "`;
  return sql`(select ts_headline('english', "title" || E'\n' || "headings" || E'\n' || "body", ${tsQuery(words)}, ${options}) from "article_search" where "article_id" = ${articleId})`;
}
