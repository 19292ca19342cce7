import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { managementRoute } from '../../http/auth.js';
import { IdParamsSchema } from '../../http/common.schemas.js';
import { location } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import {
  CreatedWebhookSchema,
  CreateWebhookBodySchema,
  DeliveryPageQuerySchema,
  DeliveryParamsSchema,
  PatchWebhookBodySchema,
  WebhookDeliveryListSchema,
  WebhookDeliverySchema,
  WebhookListSchema,
  WebhookSchema,
} from './webhooks.schemas.js';
import {
  createWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  patchWebhook,
  redeliver,
  removeWebhook,
} from './webhooks.service.js';

const adminOnly = managementRoute(['admin'] as const, 'admin-webhooks');

export const adminWebhookRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/webhooks',
    adminOnly(
      'listWebhooks',
      'Every webhook endpoint, oldest first (never its secret)',
      {
        response: { 200: WebhookListSchema },
      },
      [],
    ),
    async () => {
      const data = await listWebhooks({ db: db.read });
      // Endpoints are few: one page holds them all.
      return { data, meta: { limit: data.length, nextCursor: null } };
    },
  );

  routes.post(
    '/webhooks',
    adminOnly(
      'createWebhook',
      'Add a webhook endpoint; the response is the only time its signing secret is shown',
      { body: CreateWebhookBodySchema, response: { 201: CreatedWebhookSchema } },
      [400],
      { 201: location('The created endpoint') },
    ),
    async (request, reply) => {
      const created = await createWebhook({ db, input: request.body, now: now() });
      reply.code(201).header('location', `/v1/admin/webhooks/${created.id}`);
      return created;
    },
  );

  routes.get(
    '/webhooks/:id',
    adminOnly(
      'getWebhook',
      'One webhook endpoint, with its delivery status',
      {
        params: IdParamsSchema,
        response: { 200: WebhookSchema },
      },
      [400, 404],
    ),
    async (request) => getWebhook({ db: db.read, id: request.params.id }),
  );

  routes.patch(
    '/webhooks/:id',
    adminOnly(
      'updateWebhook',
      'Change the URL, the event types or whether it is enabled (enabling clears an automatic disable)',
      { params: IdParamsSchema, body: PatchWebhookBodySchema, response: { 200: WebhookSchema } },
      [400, 404],
    ),
    async (request) => patchWebhook({ db, id: request.params.id, input: request.body, now: now() }),
  );

  routes.delete(
    '/webhooks/:id',
    adminOnly(
      'deleteWebhook',
      'Remove a webhook endpoint and its delivery log',
      { params: IdParamsSchema, response: { 204: z.null().describe('Removed') } },
      [400, 404],
    ),
    async (request, reply) => {
      await removeWebhook({ db, id: request.params.id });
      return reply.code(204).send(null);
    },
  );

  routes.get(
    '/webhooks/:id/deliveries',
    adminOnly(
      'listWebhookDeliveries',
      "An endpoint's deliveries, newest first: status, attempts, the last answer",
      { params: IdParamsSchema, querystring: DeliveryPageQuerySchema, response: { 200: WebhookDeliveryListSchema } },
      [400, 404],
    ),
    async (request) => listWebhookDeliveries({ db: db.read, id: request.params.id, ...request.query }),
  );

  routes.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    adminOnly(
      'redeliverWebhookDelivery',
      'Send the event of a delivery again, as a new delivery due now',
      { params: DeliveryParamsSchema, response: { 202: WebhookDeliverySchema } },
      [400, 404],
    ),
    async (request, reply) => {
      const delivery = await redeliver({ db, ...request.params, now: now() });
      app.background.wake();
      return reply.code(202).send(delivery);
    },
  );
};
