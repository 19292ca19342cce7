import { and, asc, eq } from 'drizzle-orm';
import { type Db, type Tables, tablesOf } from '../../db/schema.js';

export type CommentBlockRow = Tables['commentBlocks']['$inferSelect'];
export type CommentBlockKind = CommentBlockRow['kind'];

export async function listCommentBlocks({ db }: { db: Db }): Promise<CommentBlockRow[]> {
  const { commentBlocks } = tablesOf(db);
  return db.select().from(commentBlocks).orderBy(asc(commentBlocks.id));
}

export async function getCommentBlock({ db, id }: { db: Db; id: number }): Promise<CommentBlockRow | undefined> {
  const { commentBlocks } = tablesOf(db);
  const [row] = await db.select().from(commentBlocks).where(eq(commentBlocks.id, id)).limit(1);
  return row;
}

export async function findCommentBlock({
  db,
  kind,
  value,
}: {
  db: Db;
  kind: CommentBlockKind;
  value: string;
}): Promise<CommentBlockRow | undefined> {
  const { commentBlocks } = tablesOf(db);
  const [row] = await db
    .select()
    .from(commentBlocks)
    .where(and(eq(commentBlocks.kind, kind), eq(commentBlocks.value, value)))
    .limit(1);
  return row;
}

export async function insertCommentBlock({
  db,
  values,
}: {
  db: Db;
  values: Omit<Tables['commentBlocks']['$inferInsert'], 'id'>;
}): Promise<CommentBlockRow> {
  const { commentBlocks } = tablesOf(db);
  const [row] = await db.insert(commentBlocks).values(values).returning();
  return row!;
}

export async function deleteCommentBlock({ db, id }: { db: Db; id: number }): Promise<boolean> {
  const { commentBlocks } = tablesOf(db);
  const rows = await db.delete(commentBlocks).where(eq(commentBlocks.id, id)).returning({ id: commentBlocks.id });
  return rows.length > 0;
}
