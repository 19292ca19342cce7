import { and, asc, desc, eq, gt, gte, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import type { DatabaseHandles } from './client.js';
import { forUpdate } from './locks.js';
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
  /** When it happened, if not at the `at` of the whole call (writes batched into one transaction). */
  at?: string;
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
      at: event.at ?? at,
    })),
  );
}

function afterPosition(db: Db, after: OutboxPosition) {
  const { outboxEvents: e } = tablesOf(db);
  // Forms that seek the (tx_id, id) index instead of walking it from the start: PostgreSQL compares row
  // values in the index; SQLite writes one transaction at a time (tx_id is always 0, id is commit order)
  // and would range on a row value's leading column only.
  if (dialectOf(db) === 'sqlite') return and(eq(e.txId, after.txId), gt(e.id, after.id));
  return sql`(${e.txId}, ${e.id}) > (${after.txId}, ${after.id})`;
}

/**
 * Events after `after`, in commit order, that no still-running transaction can come before: a
 * reader that resumes from the last one it got never misses one committed later.
 */
export async function listEventsAfter({
  db,
  after,
  limit,
  excludeTypes = [],
}: {
  db: Db;
  after: OutboxPosition;
  limit: number;
  /** Types this reader never wants (the public change feed leaves out comment.created). */
  excludeTypes?: readonly OutboxEventType[];
}): Promise<OutboxEvent[]> {
  const { outboxEvents: e } = tablesOf(db);
  const settled = dialectOf(db) === 'postgres' ? lt(e.txId, postgresVisibleTxBound) : undefined;
  const wanted = excludeTypes.length > 0 ? notInArray(e.type, [...excludeTypes]) : undefined;
  const rows = await db
    .select()
    .from(e)
    .where(and(afterPosition(db, after), settled, wanted))
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

/**
 * Surrogate keys as the public routes name them (article detail: `article-N comments-N product-P`,
 * lists: `articles` / `products`, site: `site`), so a purge by an event's keys hits every page it changed.
 */
export const surrogateKeysOf = {
  article: (articleId: number, productIds: readonly number[] = []) => [
    'articles',
    `article-${articleId}`,
    `comments-${articleId}`,
    ...productIds.map((id) => `product-${id}`),
  ],
  comments: (articleId: number) => [`comments-${articleId}`],
  product: (productId: number, articleIds: readonly number[] = []) => [
    'products',
    `product-${productId}`,
    ...articleIds.map((id) => `article-${id}`),
  ],
  site: () => ['site'],
};

/** The article a comment event is about: named by its `comments-N` key. */
export function commentArticleId(event: Pick<OutboxEvent, 'surrogateKeys'>): number | undefined {
  const key = event.surrogateKeys.find((k) => k.startsWith('comments-'));
  return key === undefined ? undefined : Number(key.slice('comments-'.length));
}

/** A named outbox reader's row (its place, and a time it keeps), locked for the rest of `tx`. */
export async function lockCursor({
  tx,
  name,
}: {
  tx: Db;
  name: string;
}): Promise<{ position: OutboxPosition; updatedAt: string } | undefined> {
  const { outboxCursors: c } = tablesOf(tx);
  const query = tx.select().from(c).where(eq(c.name, name)).limit(1).$dynamic();
  const row = await first(forUpdate(tx, query));
  return row && { position: { txId: Number(row.txId), id: row.eventId }, updatedAt: row.updatedAt };
}

export async function saveCursor({
  tx,
  name,
  position,
  updatedAt,
}: {
  tx: Db;
  name: string;
  position: OutboxPosition;
  updatedAt: string;
}): Promise<void> {
  const { outboxCursors: c } = tablesOf(tx);
  const values = { txId: position.txId, eventId: position.id, updatedAt };
  await tx
    .insert(c)
    .values({ name, ...values })
    .onConflictDoUpdate({ target: c.name, set: values });
}

export async function findCursor({ db, name }: { db: Db; name: string }): Promise<OutboxPosition | undefined> {
  const { outboxCursors: c } = tablesOf(db);
  const row = await first(db.select().from(c).where(eq(c.name, name)).limit(1));
  return row && { txId: Number(row.txId), id: row.eventId };
}

/** Whether an event of `type` about the resource was recorded at or after `since`. */
export async function hasEventSince({
  db,
  type,
  resourceId,
  since,
}: {
  db: Db;
  type: OutboxEventType;
  resourceId: number;
  since: string;
}): Promise<boolean> {
  const { outboxEvents: e } = tablesOf(db);
  const row = await first(
    db
      .select({ id: e.id })
      .from(e)
      .where(and(eq(e.type, type), eq(e.resourceId, resourceId), gte(e.at, since)))
      .limit(1),
  );
  return row !== undefined;
}

/** The newest settled event recorded before `before` (by its time: one step down the `at` index). */
export async function findLastEventBefore({
  db,
  before,
}: {
  db: Db;
  before: string;
}): Promise<OutboxPosition | undefined> {
  const { outboxEvents: e } = tablesOf(db);
  const settled = dialectOf(db) === 'postgres' ? lt(e.txId, postgresVisibleTxBound) : undefined;
  const row = await first(
    db
      .select({ txId: e.txId, id: e.id })
      .from(e)
      .where(and(lt(e.at, before), settled))
      .orderBy(desc(e.at), desc(e.txId), desc(e.id))
      .limit(1),
  );
  return row && { txId: Number(row.txId), id: row.id };
}

/** Deletes every event up to and including `upTo` in commit order. */
export async function deleteEventsUpTo({ tx, upTo }: { tx: Db; upTo: OutboxPosition }): Promise<void> {
  const { outboxEvents: e } = tablesOf(tx);
  await tx.delete(e).where(or(lt(e.txId, upTo.txId), and(eq(e.txId, upTo.txId), lte(e.id, upTo.id))));
}

/** The outbox_cursors row holding how far events were pruned: a reader behind it has missed some. */
export const PRUNED_CURSOR = 'pruned';

export function isBefore(a: OutboxPosition, b: OutboxPosition): boolean {
  return a.txId < b.txId || (a.txId === b.txId && a.id < b.id);
}

/** Deletes events recorded before `before` and moves the pruned watermark up to the last one. */
export async function pruneEvents({
  db,
  before,
  at,
}: {
  db: Pick<DatabaseHandles, 'withTransaction'>;
  before: string;
  at: string;
}): Promise<void> {
  await db.withTransaction(
    async (tx) => {
      const pruned = await lockCursor({ tx, name: PRUNED_CURSOR });
      const upTo = await findLastEventBefore({ db: tx, before });
      if (!upTo || (pruned && !isBefore(pruned.position, upTo))) return;
      await deleteEventsUpTo({ tx, upTo });
      await saveCursor({ tx, name: PRUNED_CURSOR, position: upTo, updatedAt: at });
    },
    { touchesContent: false },
  );
}
