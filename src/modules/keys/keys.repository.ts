import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiKeys, type Role } from '../../db/schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function findKeyByHash({ db, hash }: { db: Db; hash: string }): Promise<ApiKeyRow | undefined> {
  return db.select().from(apiKeys).where(eq(apiKeys.hash, hash)).get();
}

export async function findKeyById({ db, id }: { db: Db; id: number }): Promise<ApiKeyRow | undefined> {
  return db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
}

export async function listKeys({ db }: { db: Db }): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(desc(apiKeys.id));
}

export async function insertKey({
  db,
  values,
}: {
  db: Db;
  values: { name: string; role: Role; hash: string; prefix: string; createdAt: string };
}): Promise<ApiKeyRow> {
  return db.insert(apiKeys).values(values).returning().get();
}

/** Marks a key revoked; returns false when it does not exist or was already revoked. */
export async function revokeKey({ db, id, at }: { db: Db; id: number; at: string }): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

export async function touchKey({ db, id, at }: { db: Db; id: number; at: string }): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
}
