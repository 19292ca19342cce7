import { z } from 'zod';
import { outboxEventTypes } from '../../db/outbox.js';
import { collectionOf, IdSchema, PageQuerySchema, TimestampSchema } from '../../http/common.schemas.js';

export const WebhookEventTypeSchema = z.enum(outboxEventTypes).meta({ id: 'WebhookEventType' });

const WebhookUrlSchema = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .max(2000)
  .describe('Where events are POSTed: http or https; private addresses are refused unless WEBHOOK_ALLOW_PRIVATE');

export const WebhookSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    events: z.array(WebhookEventTypeSchema).describe('Event types sent; empty: every type'),
    enabled: z.boolean(),
    status: z
      .enum(['active', 'failing', 'disabled'])
      .describe('failing: deliveries fail since failingSince; disabled: by an admin, or after 24 h of failures'),
    disabledReason: z.string().nullable(),
    failingSince: TimestampSchema.nullable(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: 'Webhook' });

export const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().describe('Signs every delivery (Quire-Signature); shown only in this response'),
}).meta({ id: 'CreatedWebhook' });

export const WebhookListSchema = collectionOf(WebhookSchema).meta({ id: 'WebhookList' });

export const CreateWebhookBodySchema = z
  .strictObject({
    url: WebhookUrlSchema,
    events: z.array(WebhookEventTypeSchema).max(outboxEventTypes.length).default([]),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'CreateWebhookBody' });

export const PatchWebhookBodySchema = z
  .strictObject({
    url: WebhookUrlSchema.optional(),
    events: z.array(WebhookEventTypeSchema).max(outboxEventTypes.length).optional(),
    enabled: z.boolean().optional().describe('true also clears an automatic disable'),
  })
  .meta({ id: 'PatchWebhookBody' });

export const WebhookDeliverySchema = z
  .object({
    id: z.number().int(),
    webhookId: z.number().int(),
    eventId: z.number().int(),
    eventType: WebhookEventTypeSchema,
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: TimestampSchema.nullable().describe('When a pending delivery is tried next'),
    lastAttemptAt: TimestampSchema.nullable(),
    lastStatusCode: z.number().int().nullable().describe("The receiver's last HTTP status; null: no answer"),
    lastError: z.string().nullable(),
    lastResponseBody: z.string().nullable().describe('At most 1 KB of the last answer'),
    createdAt: TimestampSchema,
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveryListSchema = collectionOf(WebhookDeliverySchema).meta({ id: 'WebhookDeliveryList' });

export const DeliveryPageQuerySchema = PageQuerySchema;

export const DeliveryParamsSchema = z.object({ id: IdSchema, deliveryId: IdSchema }).strict();

export type Webhook = z.infer<typeof WebhookSchema>;
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
export type CreateWebhookBody = z.infer<typeof CreateWebhookBodySchema>;
export type PatchWebhookBody = z.infer<typeof PatchWebhookBodySchema>;
