import { type SQL, sql } from 'drizzle-orm';
import type { Tables } from '../schema.js';

/** The GIN index `comments_text_idx` over to_tsvector('simple', body || ' ' || author_name); same expression. */
export function postgresCommentText(comments: Tables['comments'], words: string[]): SQL {
  const query = words.map((word) => `${word}:*`).join(' & ');
  return sql`to_tsvector('simple', ${comments.body} || ' ' || ${comments.authorName}) @@ to_tsquery('simple', ${query})`;
}
