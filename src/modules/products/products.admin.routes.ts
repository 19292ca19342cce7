import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { managementRoute } from '../../http/auth.js';
import { IdParamsSchema, PageQuerySchema } from '../../http/common.schemas.js';
import { location } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import {
  createProduct,
  getAdminProduct,
  listAdminProducts,
  patchProduct,
  removeProduct,
} from './products.admin.service.js';
import {
  AdminProductListSchema,
  AdminProductSchema,
  ProductCreateSchema,
  ProductDeleteQuerySchema,
  ProductPatchSchema,
} from './products.schemas.js';

const EDITORS = ['admin', 'editor'] as const;

const editorial = managementRoute(EDITORS, 'admin-products');

export const adminProductRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const context = () => ({ db: deps.db, now: deps.now() });

  routes.get(
    '/products',
    editorial(
      'adminListProducts',
      'Every product, newest first',
      { querystring: PageQuerySchema, response: { 200: AdminProductListSchema } },
      [400],
    ),
    async (request) => listAdminProducts(context(), request.query),
  );

  routes.post(
    '/products',
    editorial(
      'adminCreateProduct',
      'Create a product',
      { body: ProductCreateSchema, response: { 201: AdminProductSchema } },
      [400, 409],
      { 201: location('The created product') },
    ),
    async (request, reply) => {
      const product = await createProduct(context(), request.body);
      return reply.code(201).header('location', `/v1/admin/products/${product.id}`).send(product);
    },
  );

  routes.get(
    '/products/:id',
    editorial(
      'adminGetProduct',
      'One product, with the articles linking it',
      { params: IdParamsSchema, response: { 200: AdminProductSchema } },
      [400, 404],
    ),
    async (request) => getAdminProduct(context(), request.params.id),
  );

  routes.patch(
    '/products/:id',
    editorial(
      'adminUpdateProduct',
      'Change a product (merge)',
      { params: IdParamsSchema, body: ProductPatchSchema, response: { 200: AdminProductSchema } },
      [400, 404, 409],
    ),
    async (request) => patchProduct(context(), request.params.id, request.body),
  );

  routes.delete(
    '/products/:id',
    editorial(
      'adminDeleteProduct',
      'Delete a product; refused with 409 naming the articles that feature it, unless force=true',
      {
        params: IdParamsSchema,
        querystring: ProductDeleteQuerySchema,
        response: { 204: z.null().describe('Deleted') },
      },
      [400, 404, 409],
    ),
    async (request, reply) => {
      await removeProduct(context(), request.params.id, request.query.force);
      return reply.code(204).send(null);
    },
  );
};
