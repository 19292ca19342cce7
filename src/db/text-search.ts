import type { SQL } from 'drizzle-orm';
import { postgresCommentText } from './postgres/text-search.js';
import { type Db, dialectOf, type Tables } from './schema.js';
import { sqliteCommentText } from './sqlite/text-search.js';

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
 * through each engine's full-text index (migration 0001): never a scan.
 */
export function commentTextMatch(db: Db, comments: Tables['comments'], words: string[]): SQL {
  return dialectOf(db) === 'postgres' ? postgresCommentText(comments, words) : sqliteCommentText(comments, words);
}
