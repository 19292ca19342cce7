import { and, asc, count, eq, gt, inArray, isNull, or, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client.js';
import { comments, moderationEvents } from '../../db/schema.js';

const parent = alias(comments, 'parent');

/** Approved, not deleted, and (for a reply) under a root that is itself visible. */
function isVisible(): SQL {
  return and(
    eq(comments.status, 'approved'),
    isNull(comments.deletedAt),
    or(isNull(comments.parentId), and(eq(parent.status, 'approved'), isNull(parent.deletedAt))),
  )!;
}

/** Exactly the number of comments the public thread can show, per article. */
export async function countVisibleComments({ db, articleIds }: { db: Db; articleIds: number[] }): Promise<Map<number, number>> {
  const counts = new Map<number, number>(articleIds.map((id) => [id, 0]));
  if (articleIds.length === 0) return counts;
  const rows = await db
    .select({ articleId: comments.articleId, n: count() })
    .from(comments)
    .leftJoin(parent, eq(parent.id, comments.parentId))
    .where(and(inArray(comments.articleId, articleIds), isVisible()))
    .groupBy(comments.articleId);
  for (const { articleId, n } of rows) counts.set(articleId, n);
  return counts;
}

export interface ThreadCursor {
  createdAt: string;
  id: number;
}

const publicColumns = { id: comments.id, authorName: comments.authorName, body: comments.body, createdAt: comments.createdAt };

/** Visible root comments, oldest first, keyset-paginated; fetches limit + 1 rows. */
export async function listVisibleRoots({ db, articleId, limit, after }: { db: Db; articleId: number; limit: number; after?: ThreadCursor }) {
  const conditions: SQL[] = [eq(comments.articleId, articleId), eq(comments.status, 'approved'), isNull(comments.parentId), isNull(comments.deletedAt)];
  if (after) conditions.push(or(gt(comments.createdAt, after.createdAt), and(eq(comments.createdAt, after.createdAt), gt(comments.id, after.id)))!);
  return db
    .select(publicColumns)
    .from(comments)
    .where(and(...conditions))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(limit + 1);
}

export async function listVisibleReplies({ db, parentIds }: { db: Db; parentIds: number[] }) {
  if (parentIds.length === 0) return [];
  return db
    .select({ ...publicColumns, parentId: comments.parentId })
    .from(comments)
    .where(and(inArray(comments.parentId, parentIds), eq(comments.status, 'approved'), isNull(comments.deletedAt)))
    .orderBy(asc(comments.createdAt), asc(comments.id));
}

export type NewComment = Omit<typeof comments.$inferInsert, 'id'>;

export async function insertComment({ db, values }: { db: Db; values: NewComment }): Promise<number> {
  const row = await db.insert(comments).values(values).returning({ id: comments.id }).get();
  return row.id;
}

export async function insertModerationEvent({ db, values }: { db: Db; values: Omit<typeof moderationEvents.$inferInsert, 'id'> }): Promise<void> {
  await db.insert(moderationEvents).values(values);
}

/** Every comment of an article, whatever its status, tombstones included. */
export async function countAllComments({ db, articleId }: { db: Db; articleId: number }): Promise<number> {
  const row = await db.select({ n: count() }).from(comments).where(eq(comments.articleId, articleId)).get();
  return row?.n ?? 0;
}
