import { randomBytes } from 'node:crypto';
import type { DatabaseHandles, Db } from '../../db/client.js';
import { decodeCursor, splitPage } from '../../http/cursor.js';
import { notFound } from '../../http/errors.js';
import {
  type DeliveryWithEvent,
  deleteWebhook,
  findDelivery,
  findWebhook,
  insertDeliveries,
  insertWebhook,
  listDeliveries,
  listWebhookRows,
  updateWebhook,
  type WebhookRow,
} from './webhooks.repository.js';
import type {
  CreateWebhookBody,
  PatchWebhookBody,
  Webhook,
  WebhookDelivery,
  WebhookEventTypeSchema,
} from './webhooks.schemas.js';

type EventType = (typeof WebhookEventTypeSchema)['options'][number];

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: row.events as EventType[],
    enabled: row.enabled,
    status: !row.enabled ? 'disabled' : row.failingSince ? 'failing' : 'active',
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toDelivery(row: DeliveryWithEvent): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhookId,
    eventId: row.eventId,
    eventType: row.eventType as EventType,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastResponseBody: row.lastResponseBody,
    createdAt: row.createdAt,
  };
}

const missing = (id: number) => notFound(`No webhook has the id ${id}.`);

export async function listWebhooks({ db }: { db: Db }): Promise<Webhook[]> {
  return (await listWebhookRows({ db })).map(toWebhook);
}

export async function getWebhook({ db, id }: { db: Db; id: number }): Promise<Webhook> {
  const row = await findWebhook({ db, id });
  if (!row) throw missing(id);
  return toWebhook(row);
}

/** A new endpoint with its signing secret, which only this answer shows. */
export async function createWebhook({
  db,
  input,
  now,
}: {
  db: DatabaseHandles;
  input: CreateWebhookBody;
  now: Date;
}): Promise<Webhook & { secret: string }> {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const at = now.toISOString();
  const row = await db.withTransaction(
    (tx) =>
      insertWebhook({
        db: tx,
        values: {
          url: input.url,
          events: [...new Set(input.events)],
          enabled: input.enabled,
          secret,
          createdAt: at,
          updatedAt: at,
        },
      }),
    { touchesContent: false },
  );
  return { ...toWebhook(row), secret };
}

export async function patchWebhook({
  db,
  id,
  input,
  now,
}: {
  db: DatabaseHandles;
  id: number;
  input: PatchWebhookBody;
  now: Date;
}): Promise<Webhook> {
  const row = await db.withTransaction(
    (tx) =>
      updateWebhook({
        db: tx,
        id,
        values: {
          ...(input.url !== undefined && { url: input.url }),
          ...(input.events !== undefined && { events: [...new Set(input.events)] }),
          ...(input.enabled !== undefined && { enabled: input.enabled }),
          // Enabling again starts afresh: the automatic disable and its failure streak are forgotten.
          ...(input.enabled === true && { disabledReason: null, failingSince: null }),
          ...(input.enabled === false && { disabledReason: 'Disabled by an admin' }),
          updatedAt: now.toISOString(),
        },
      }),
    { touchesContent: false },
  );
  if (!row) throw missing(id);
  return toWebhook(row);
}

export async function removeWebhook({ db, id }: { db: DatabaseHandles; id: number }): Promise<void> {
  const removed = await db.withTransaction((tx) => deleteWebhook({ db: tx, id }), { touchesContent: false });
  if (!removed) throw missing(id);
}

export async function listWebhookDeliveries({
  db,
  id,
  limit,
  cursor,
}: {
  db: Db;
  id: number;
  limit: number;
  cursor?: string | undefined;
}) {
  if (!(await findWebhook({ db, id }))) throw missing(id);
  const [before] = decodeCursor<[number]>(cursor, ['number']) ?? [undefined];
  const rows = await listDeliveries({ db, webhookId: id, before, limit: limit + 1 });
  const page = splitPage(rows, limit, (row) => [row.id]);
  return { data: page.rows.map(toDelivery), meta: { limit, nextCursor: page.nextCursor } };
}

/** Sends an event again: a new delivery of the same event, due now, with its own attempts. */
export async function redeliver({
  db,
  id,
  deliveryId,
  now,
}: {
  db: DatabaseHandles;
  id: number;
  deliveryId: number;
  now: Date;
}): Promise<WebhookDelivery> {
  const at = now.toISOString();
  return db.withTransaction(
    async (tx) => {
      const original = await findDelivery({ db: tx, webhookId: id, id: deliveryId });
      if (!original) throw notFound(`The webhook ${id} has no delivery ${deliveryId}.`);
      const [row] = await insertDeliveries({
        db: tx,
        values: [{ webhookId: id, eventId: original.eventId, nextAttemptAt: at, createdAt: at }],
      });
      return toDelivery({ ...row!, eventType: original.eventType });
    },
    { touchesContent: false },
  );
}
