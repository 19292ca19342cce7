import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { contentVersionOf, publicRead, setSurrogateKeys } from '../../http/caching.js';
import { SlugParamsSchema } from '../../http/common.schemas.js';
import { problemResponses } from '../../http/errors.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { absolutizeImages, createPublicBaseReader } from '../render/present.js';
import { ProductListQuerySchema, ProductListSchema, ProductSchema } from './products.schemas.js';
import { getPublicProduct, listPublicProducts } from './products.service.js';

export const publicProductRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now, config }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const publicBase = createPublicBaseReader({ config, db: db.read });

  routes.get(
    '/products',
    publicRead({
      operationId: 'listProducts',
      tags: ['products'],
      summary: 'Products by name, each with the published articles featuring it',
      querystring: ProductListQuerySchema,
      response: { 200: ProductListSchema, ...problemResponses(400) },
    }),
    async (request, reply) => {
      const page = await listPublicProducts({ db: db.read, now: now(), ...request.query });
      setSurrogateKeys(reply, [
        'products',
        ...page.data.flatMap((p) => [`product-${p.id}`, ...p.articles.map((a) => `article-${a.id}`)]),
      ]);
      return absolutizeImages(page, await publicBase(contentVersionOf(request)));
    },
  );

  routes.get(
    '/products/:slug',
    publicRead({
      operationId: 'getProduct',
      tags: ['products'],
      summary: 'One product, with the published articles featuring it',
      params: SlugParamsSchema,
      response: { 200: ProductSchema, ...problemResponses(400, 404) },
    }),
    async (request, reply) => {
      const product = await getPublicProduct({ db: db.read, slug: request.params.slug, now: now() });
      setSurrogateKeys(reply, [`product-${product.id}`, ...product.articles.map((a) => `article-${a.id}`)]);
      return absolutizeImages(product, await publicBase(contentVersionOf(request)));
    },
  );
};
