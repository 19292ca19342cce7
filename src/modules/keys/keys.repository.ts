import { and, desc, eq, isNull } from 'drizzle-orm';
import { first } from '../../db/query.js';
import { type ApiKeyRow, type Db, type Role, tablesOf } from '../../db/schema.js';

export type { ApiKeyRow } from '../../db/schema.js';

export async function findKeyByHash({ db, hash }: { db: Db; hash: string }): Promise<ApiKeyRow | undefined> {
  const { apiKeys } = tablesOf(db);
  return first(db.select().from(apiKeys).where(eq(apiKeys.hash, hash)).limit(1));
}

export async function findKeyById({ db, id }: { db: Db; id: number }): Promise<ApiKeyRow | undefined> {
  const { apiKeys } = tablesOf(db);
  return first(db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1));
}

export async function listKeys({ db }: { db: Db }): Promise<ApiKeyRow[]> {
  const { apiKeys } = tablesOf(db);
  return db.select().from(apiKeys).orderBy(desc(apiKeys.id));
}

export async function insertKey({
  db,
  values,
}: {
  db: Db;
  values: { name: string; role: Role; hash: string; prefix: string; createdAt: string };
}): Promise<ApiKeyRow> {
  const { apiKeys } = tablesOf(db);
  const [row] = await db.insert(apiKeys).values(values).returning();
  return row!;
}

/** Marks a key revoked; returns false when it does not exist or was already revoked. */
export async function revokeKey({ db, id, at }: { db: Db; id: number; at: string }): Promise<boolean> {
  const { apiKeys } = tablesOf(db);
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

export async function touchKey({ db, id, at }: { db: Db; id: number; at: string }): Promise<void> {
  const { apiKeys } = tablesOf(db);
  await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
}
