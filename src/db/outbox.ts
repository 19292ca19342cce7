import { and, asc, desc, eq, gt, lt, or, sql } from 'drizzle-orm';
import { postgresCurrentTxId, postgresVisibleTxBound } from './postgres/outbox.js';
import { first } from './query.js';
import { type Db, dialectOf, type Tables, tablesOf } from './schema.js';

/**
 * The outbox: every write that changes public content records its events here in the same
 * transaction, so a rolled-back write leaves none and a committed one always has them. Webhook
 * dispatch, CDN purges and the change feed all read it in commit order.
 */
export const outboxEventTypes = [
  'article.published',
  'article.updated',
  'article.unpublished',
  'article.deleted',
  'article.slug_changed',
  'product.updated',
  'product.deleted',
  'site.updated',
  'comment.created',
  'comment.approved',
  'comment.removed',
] as const;
export type OutboxEventType = (typeof outboxEventTypes)[number];
export type OutboxKind = 'article' | 'product' | 'site' | 'comment';

export interface OutboxEventInput {
  type: OutboxEventType;
  kind: OutboxKind;
  resourceId: number;
  slug: string | null;
  /** For `article.slug_changed`: the slug it had before. */
  previousSlug?: string | null;
  /** What the change touched, as named in `Surrogate-Key` headers. */
  surrogateKeys: readonly string[];
}

export interface OutboxEvent {
  id: number;
  txId: number;
  type: OutboxEventType;
  kind: OutboxKind;
  resourceId: number;
  slug: string | null;
  previousSlug: string | null;
  surrogateKeys: string[];
  at: string;
}

/** A reader's place in commit order: after every event up to (txId, id). */
export interface OutboxPosition {
  txId: number;
  id: number;
}

export const outboxStart: OutboxPosition = { txId: 0, id: 0 };

/** Records events inside the caller's transaction `tx` (never on its own). */
export async function recordEvents({
  tx,
  events,
  at,
}: {
  tx: Db;
  events: readonly OutboxEventInput[];
  at: string;
}): Promise<void> {
  if (events.length === 0) return;
  const { outboxEvents } = tablesOf(tx);
  // SQLite has one writer, so ids already follow commit order.
  const txId = dialectOf(tx) === 'postgres' ? postgresCurrentTxId : sql<number>`0`;
  await tx.insert(outboxEvents).values(
    events.map((event) => ({
      txId,
      type: event.type,
      kind: event.kind,
      resourceId: event.resourceId,
      slug: event.slug,
      previousSlug: event.previousSlug ?? null,
      surrogateKeys: [...new Set(event.surrogateKeys)].join(' '),
      at,
    })),
  );
}

function afterPosition(db: Db, after: OutboxPosition) {
  const { outboxEvents: e } = tablesOf(db);
  return or(gt(e.txId, after.txId), and(eq(e.txId, after.txId), gt(e.id, after.id)));
}

/**
 * Events after `after`, in commit order, that no still-running transaction can come before: a
 * reader that resumes from the last one it got never misses one committed later.
 */
export async function listEventsAfter({
  db,
  after,
  limit,
}: {
  db: Db;
  after: OutboxPosition;
  limit: number;
}): Promise<OutboxEvent[]> {
  const { outboxEvents: e } = tablesOf(db);
  const settled = dialectOf(db) === 'postgres' ? lt(e.txId, postgresVisibleTxBound) : undefined;
  const rows = await db
    .select()
    .from(e)
    .where(and(afterPosition(db, after), settled))
    .orderBy(asc(e.txId), asc(e.id))
    .limit(limit);
  return rows.map(toEvent);
}

/** The position just after the newest settled event: where "from now on" starts. */
export async function getLatestPosition({ db }: { db: Db }): Promise<OutboxPosition> {
  const { outboxEvents: e } = tablesOf(db);
  const settled = dialectOf(db) === 'postgres' ? lt(e.txId, postgresVisibleTxBound) : undefined;
  const row = await first(
    db.select({ txId: e.txId, id: e.id }).from(e).where(settled).orderBy(desc(e.txId), desc(e.id)).limit(1),
  );
  return row ?? outboxStart;
}

function toEvent(row: Tables['outboxEvents']['$inferSelect']): OutboxEvent {
  return {
    id: row.id,
    txId: Number(row.txId),
    type: row.type as OutboxEventType,
    kind: row.kind,
    resourceId: row.resourceId,
    slug: row.slug,
    previousSlug: row.previousSlug,
    surrogateKeys: row.surrogateKeys === '' ? [] : row.surrogateKeys.split(' '),
    at: row.at,
  };
}
