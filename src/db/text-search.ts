import type { SQL } from 'drizzle-orm';
import { postgresCommentText, postgresNewestCommentText } from './postgres/text-search.js';
import { type Db, dialectOf, type Tables } from './schema.js';
import { sqliteCommentText, sqliteNewestCommentText } from './sqlite/text-search.js';

/** The words of a search, lowercased: letters and digits only, so they are safe in either engine's query syntax. */
export function searchWords(q: string): string[] {
  return (
    q
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, 16) ?? []
  );
}

/**
 * Comments whose body or author name hold every word (each as a prefix), case-insensitively,
 * through each engine's full-text index (migration 0001): never a scan. `manyMatches` says the
 * words match more comments than a page sorts cheaply (a hint; PostgreSQL's planner has statistics).
 */
export function commentTextMatch(db: Db, comments: Tables['comments'], words: string[], manyMatches = false): SQL {
  return dialectOf(db) === 'postgres'
    ? postgresCommentText(comments, words)
    : sqliteCommentText(comments, words, manyMatches);
}

/** A subquery of the ids of the newest `limit` comments matching the words, whatever their status. */
export function newestCommentTextMatches(db: Db, comments: Tables['comments'], words: string[], limit: number): SQL {
  return dialectOf(db) === 'postgres'
    ? postgresNewestCommentText(comments, words, limit)
    : sqliteNewestCommentText(words, limit);
}
