import { type SQL, sql } from 'drizzle-orm';
import type { Tables } from '../schema.js';

/** FTS5 external-content table `comments_fts` (body, author_name), kept by triggers. */
export function sqliteCommentText(comments: Tables['comments'], words: string[]): SQL {
  const match = words.map((word) => `"${word}"*`).join(' ');
  return sql`${comments.id} in (select rowid from comments_fts where comments_fts match ${match})`;
}
