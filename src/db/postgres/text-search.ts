import { type SQL, sql } from 'drizzle-orm';
import type { Tables } from '../schema.js';

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
