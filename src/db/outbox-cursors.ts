import { eq } from 'drizzle-orm';
import { forUpdate } from './locks.js';
import type { OutboxPosition } from './outbox.js';
import { first } from './query.js';
import { type Db, tablesOf } from './schema.js';

/** How far a named outbox reader has got, without a lock (readers that only move forward). */
export async function readCursor({ db, name }: { db: Db; name: string }): Promise<OutboxPosition | undefined> {
  const { outboxCursors: c } = tablesOf(db);
  const row = await first(db.select({ txId: c.txId, id: c.eventId }).from(c).where(eq(c.name, name)).limit(1));
  return row && { txId: Number(row.txId), id: row.id };
}

/** How far a named outbox reader (webhook fan-out, CDN purge) has got, locked for the transaction; undefined before its first run. */
export async function lockCursor({ db, name }: { db: Db; name: string }): Promise<OutboxPosition | undefined> {
  const { outboxCursors: c } = tablesOf(db);
  const row = await first(
    forUpdate(db, db.select({ txId: c.txId, id: c.eventId }).from(c).where(eq(c.name, name)).limit(1).$dynamic()),
  );
  return row && { txId: Number(row.txId), id: row.id };
}

export async function saveCursor({
  db,
  name,
  position,
  at,
}: {
  db: Db;
  name: string;
  position: OutboxPosition;
  at: string;
}): Promise<void> {
  const { outboxCursors: c } = tablesOf(db);
  await db
    .insert(c)
    .values({ name, txId: position.txId, eventId: position.id, updatedAt: at })
    .onConflictDoUpdate({ target: c.name, set: { txId: position.txId, eventId: position.id, updatedAt: at } });
}
