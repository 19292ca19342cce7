import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { managementRoute } from '../../http/auth.js';
import { IdParamsSchema } from '../../http/common.schemas.js';
import { location } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { ApiKeyListSchema, ApiKeySchema, CreateApiKeyBodySchema, CreatedApiKeySchema } from './keys.schemas.js';
import { createKey, getApiKey, listApiKeys, revokeApiKey, toApiKey } from './keys.service.js';

const adminOnly = managementRoute(['admin'] as const, 'admin-keys');

export const adminKeyRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/keys',
    adminOnly(
      'listApiKeys',
      'Every API key, revoked ones included, newest first (never the key itself)',
      { response: { 200: ApiKeyListSchema } },
      [],
    ),
    async () => {
      const data = await listApiKeys({ db: db.read });
      // One page holds every key: there are few, and the envelope keeps room for paging later.
      return { data, meta: { limit: data.length, nextCursor: null } };
    },
  );

  routes.post(
    '/keys',
    adminOnly(
      'createApiKey',
      'Create an API key; the response is the only time the key is shown',
      { body: CreateApiKeyBodySchema, response: { 201: CreatedApiKeySchema } },
      [400],
      { 201: location('The created key, which answers GET without its secret') },
    ),
    async (request, reply) => {
      const { key, row } = await createKey({ db, ...request.body, now: now() });
      reply.code(201).header('location', `/v1/admin/keys/${row.id}`);
      return { ...toApiKey(row), key };
    },
  );

  routes.get(
    '/keys/:id',
    adminOnly(
      'getApiKey',
      'One API key, revoked or not (never the key itself)',
      { params: IdParamsSchema, response: { 200: ApiKeySchema } },
      [400, 404],
    ),
    async (request) => getApiKey({ db: db.read, id: request.params.id }),
  );

  routes.delete(
    '/keys/:id',
    adminOnly(
      'revokeApiKey',
      'Revoke an API key; it is refused from the next request on. An already revoked key is 404.',
      { params: IdParamsSchema, response: { 204: z.null().describe('Revoked') } },
      [400, 404],
    ),
    async (request, reply) => {
      await revokeApiKey({ db, id: request.params.id, now: now() });
      return reply.code(204).send(null);
    },
  );
};
