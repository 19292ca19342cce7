import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { forUpdateSkipLocked } from '../../db/locks.js';
import { first } from '../../db/query.js';
import { type Db, type Tables, tablesOf } from '../../db/schema.js';

export type WebhookRow = Tables['webhooks']['$inferSelect'];
export type DeliveryRow = Tables['webhookDeliveries']['$inferSelect'];
export type DeliveryWithEvent = DeliveryRow & { eventType: string };

export async function listWebhookRows({ db }: { db: Db }): Promise<WebhookRow[]> {
  const { webhooks } = tablesOf(db);
  return db.select().from(webhooks).orderBy(asc(webhooks.id));
}

export async function findWebhook({ db, id }: { db: Db; id: number }): Promise<WebhookRow | undefined> {
  const { webhooks } = tablesOf(db);
  return first(db.select().from(webhooks).where(eq(webhooks.id, id)).limit(1));
}

export async function insertWebhook({
  db,
  values,
}: {
  db: Db;
  values: { url: string; events: string[]; enabled: boolean; secret: string; createdAt: string; updatedAt: string };
}): Promise<WebhookRow> {
  const { webhooks } = tablesOf(db);
  const [row] = await db.insert(webhooks).values(values).returning();
  return row!;
}

export async function updateWebhook({
  db,
  id,
  values,
}: {
  db: Db;
  id: number;
  values: Partial<Pick<WebhookRow, 'url' | 'events' | 'enabled' | 'disabledReason' | 'failingSince' | 'updatedAt'>>;
}): Promise<WebhookRow | undefined> {
  const { webhooks } = tablesOf(db);
  const [row] = await db.update(webhooks).set(values).where(eq(webhooks.id, id)).returning();
  return row;
}

export async function deleteWebhook({ db, id }: { db: Db; id: number }): Promise<boolean> {
  const { webhooks } = tablesOf(db);
  return (await db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id })).length > 0;
}

const deliveryColumns = (t: Tables) => ({
  id: t.webhookDeliveries.id,
  webhookId: t.webhookDeliveries.webhookId,
  eventId: t.webhookDeliveries.eventId,
  status: t.webhookDeliveries.status,
  attempts: t.webhookDeliveries.attempts,
  nextAttemptAt: t.webhookDeliveries.nextAttemptAt,
  claimedUntil: t.webhookDeliveries.claimedUntil,
  lastAttemptAt: t.webhookDeliveries.lastAttemptAt,
  lastStatusCode: t.webhookDeliveries.lastStatusCode,
  lastError: t.webhookDeliveries.lastError,
  lastResponseBody: t.webhookDeliveries.lastResponseBody,
  createdAt: t.webhookDeliveries.createdAt,
  eventType: t.outboxEvents.type,
});

/** A webhook's deliveries, newest first, after the keyset `before` (a delivery id). */
export async function listDeliveries({
  db,
  webhookId,
  before,
  limit,
}: {
  db: Db;
  webhookId: number;
  before: number | undefined;
  limit: number;
}): Promise<DeliveryWithEvent[]> {
  const t = tablesOf(db);
  const d = t.webhookDeliveries;
  return db
    .select(deliveryColumns(t))
    .from(d)
    .innerJoin(t.outboxEvents, eq(t.outboxEvents.id, d.eventId))
    .where(and(eq(d.webhookId, webhookId), before === undefined ? undefined : lt(d.id, before)))
    .orderBy(desc(d.id))
    .limit(limit);
}

export async function findDelivery({
  db,
  webhookId,
  id,
}: {
  db: Db;
  webhookId: number;
  id: number;
}): Promise<DeliveryWithEvent | undefined> {
  const t = tablesOf(db);
  const d = t.webhookDeliveries;
  return first(
    db
      .select(deliveryColumns(t))
      .from(d)
      .innerJoin(t.outboxEvents, eq(t.outboxEvents.id, d.eventId))
      .where(and(eq(d.webhookId, webhookId), eq(d.id, id)))
      .limit(1),
  );
}

export async function insertDeliveries({
  db,
  values,
}: {
  db: Db;
  values: { webhookId: number; eventId: number; nextAttemptAt: string; createdAt: string }[];
}): Promise<DeliveryRow[]> {
  if (values.length === 0) return [];
  const { webhookDeliveries } = tablesOf(db);
  return db.insert(webhookDeliveries).values(values).returning();
}

/**
 * Claims due deliveries for one sender until `until`: rows another process holds are skipped
 * (PostgreSQL SKIP LOCKED; SQLite's single writer), and an expired claim (a sender that died) is
 * taken over.
 */
export async function claimDueDeliveries({
  db,
  now,
  until,
  limit,
}: {
  db: Db;
  now: string;
  until: string;
  limit: number;
}): Promise<number[]> {
  const { webhookDeliveries: d, webhooks: w } = tablesOf(db);
  const due = await forUpdateSkipLocked(
    db,
    db
      .select({ id: d.id })
      .from(d)
      .where(
        and(
          eq(d.status, 'pending'),
          lte(d.nextAttemptAt, now),
          or(isNull(d.claimedUntil), lt(d.claimedUntil, now)),
          inArray(d.webhookId, db.select({ id: w.id }).from(w).where(eq(w.enabled, true))),
        ),
      )
      .orderBy(asc(d.id))
      .limit(limit)
      .$dynamic(),
  );
  const ids = due.map((r) => r.id);
  if (ids.length > 0) await db.update(d).set({ claimedUntil: until }).where(inArray(d.id, ids));
  return ids;
}

export interface DeliveryJob {
  delivery: DeliveryRow;
  webhook: WebhookRow;
  event: Tables['outboxEvents']['$inferSelect'];
}

export async function findDeliveryJobs({ db, ids }: { db: Db; ids: number[] }): Promise<DeliveryJob[]> {
  if (ids.length === 0) return [];
  const t = tablesOf(db);
  const rows = await db
    .select({ delivery: t.webhookDeliveries, webhook: t.webhooks, event: t.outboxEvents })
    .from(t.webhookDeliveries)
    .innerJoin(t.webhooks, eq(t.webhooks.id, t.webhookDeliveries.webhookId))
    .innerJoin(t.outboxEvents, eq(t.outboxEvents.id, t.webhookDeliveries.eventId))
    .where(inArray(t.webhookDeliveries.id, ids))
    .orderBy(asc(t.webhookDeliveries.id));
  return rows;
}

export async function recordAttempt({
  db,
  id,
  values,
}: {
  db: Db;
  id: number;
  values: Pick<
    DeliveryRow,
    'status' | 'nextAttemptAt' | 'lastAttemptAt' | 'lastStatusCode' | 'lastError' | 'lastResponseBody'
  >;
}): Promise<void> {
  const { webhookDeliveries: d } = tablesOf(db);
  await db
    .update(d)
    .set({ ...values, attempts: sql`${d.attempts} + 1`, claimedUntil: null })
    .where(eq(d.id, id));
}

/** Enabled webhooks; the fan-out matches each event against them. */
export async function listEnabledWebhooks({ db }: { db: Db }): Promise<WebhookRow[]> {
  const { webhooks } = tablesOf(db);
  return db.select().from(webhooks).where(eq(webhooks.enabled, true)).orderBy(asc(webhooks.id));
}

/** Whether any delivery is due: a cheap read, so an idle sender writes nothing. */
export async function hasDueDelivery({ db, now }: { db: Db; now: string }): Promise<boolean> {
  const { webhookDeliveries: d, webhooks: w } = tablesOf(db);
  const row = await first(
    db
      .select({ id: d.id })
      .from(d)
      .innerJoin(w, eq(w.id, d.webhookId))
      .where(
        and(
          eq(d.status, 'pending'),
          lte(d.nextAttemptAt, now),
          or(isNull(d.claimedUntil), lt(d.claimedUntil, now)),
          eq(w.enabled, true),
        ),
      )
      .limit(1),
  );
  return row !== undefined;
}
