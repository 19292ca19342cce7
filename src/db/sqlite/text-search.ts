import { type SQL, sql } from 'drizzle-orm';
import type { Tables } from '../schema.js';

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
