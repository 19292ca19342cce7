import { type SQL, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Db, Tables } from '../schema.js';
import type { CommentTextPlan, IdWindow } from '../text-search.js';

/** The temp fts5vocab table ('instance') over comments_fts each connection opens (client.ts). */
export const COMMENT_TERMS = 'comments_fts_terms';

// A prefix standing for more indexed words than this stays a prefix query: of 1 to 3 characters, one doclist of the prefix indexes (migration 0006).
const MAX_TERMS_PER_WORD = 8;

const quoted = (term: string) => `"${term.replaceAll('"', '""')}"`;

/** The indexed words starting with `prefix`, up to `max` + 1, each found by one seek (an 'instance' cursor stops at its first row). */
async function termsStartingWith(db: Db, prefix: string, max: number): Promise<string[]> {
  const sqlite = db as unknown as BetterSQLite3Database;
  const terms: string[] = [];
  // char(1) never occurs in a unicode61 token, so `term || char(1)` is the first string after `term`.
  let from = prefix;
  while (terms.length <= max) {
    const [row] = sqlite.all<{ term: string }>(
      sql`select term from ${sql.identifier('temp')}.${sql.identifier(COMMENT_TERMS)} where term >= ${from} limit 1`,
    );
    if (!row?.term.startsWith(prefix)) break;
    terms.push(row.term);
    from = `${row.term}\u0001`;
  }
  return terms;
}

/**
 * The FTS5 query for comments holding every word as a prefix; null when no indexed word starts
 * with one of them. A prefix query merges whole doclists before yielding a row, so each ASCII word
 * is spelt as the few indexed words it stands for (OR'ed): those are read lazily, in rowid order,
 * and a LIMIT stops them. Other words (the tokenizer folds their diacritics) stay prefixes.
 */
export async function sqliteCommentQuery(db: Db, words: string[]): Promise<string | null> {
  const parts: string[] = [];
  for (const word of words) {
    if (!/^[a-z0-9]+$/.test(word)) {
      parts.push(`${quoted(word)}*`);
      continue;
    }
    const terms = await termsStartingWith(db, word, MAX_TERMS_PER_WORD);
    if (terms.length === 0) return null;
    if (terms.length > MAX_TERMS_PER_WORD) parts.push(`${quoted(word)}*`);
    else parts.push(terms.length === 1 ? quoted(terms[0]!) : `(${terms.map(quoted).join(' OR ')})`);
  }
  return parts.join(' AND ');
}

// Past this many comments to test before a page is full, reading every match once beats asking per comment.
export const SQLITE_MAX_COMMENT_PROBES = 200;

/**
 * FTS5 external-content table `comments_fts` (body, author_name), kept by triggers. 'driven': SQLite
 * may read every match, then sort them; 'walked': `+id` makes it walk the queue's order index and
 * test each comment against the matches, read once into a set; 'probed': it walks the order index
 * and asks the index about each comment (a seek per word), which stops after a page of matches.
 */
export function sqliteCommentText(comments: Tables['comments'], query: string | null, plan: CommentTextPlan): SQL {
  if (query === null) return sql`0`;
  if (plan === 'probed')
    return sql`exists (select 1 from comments_fts where comments_fts match ${query} and rowid = ${comments.id})`;
  const id = plan === 'walked' ? sql`+${comments.id}` : sql`${comments.id}`;
  return sql`${id} in (select rowid from comments_fts where comments_fts match ${query})`;
}

/** The ids of the newest `limit` matches, read from the index in rowid order: it stops there. */
export function sqliteNewestCommentText(query: string | null, limit: number): SQL {
  if (query === null) return sql`(select null where 0)`;
  return sql`(select rowid from comments_fts where comments_fts match ${query} order by rowid desc limit ${limit})`;
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

/**
 * The best passage of each article `ids` names around the words, the matches between `open` and
 * `close`, as `(article_id, passage)`: one walk of the matches between the lowest and highest id,
 * each named one's passage made on the way. A lookup per article (`rowid = id`) cost 0.2 ms for a
 * word in 8% of 100,000 articles, whose short doclist FTS5 reads from the start in every segment.
 * The `+` keeps `rowid in` from becoming one such lookup per id.
 */
export function sqliteArticlePassages(words: string[], ids: number[], open: string, close: string): SQL {
  const list = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`select rowid as article_id, snippet(article_search_fts, -1, ${open}, ${close}, '…', 24) as passage from article_search_fts where article_search_fts match ${ftsQuery(words)} and rowid >= cast(${Math.min(...ids)} as integer) and rowid <= cast(${Math.max(...ids)} as integer) and +rowid in (${list})`;
}
