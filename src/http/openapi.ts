import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { BEARER_SCHEME } from './auth.js';

const DOCS_PREFIX = '/docs';

/** Serves the OpenAPI 3.1 document at /openapi.json and Swagger UI (bundled assets) at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Quire Content API',
        version: '1.0.0',
        description:
          'Headless content API: published articles (sections and tips), products and moderated reader comments. Errors are RFC 9457 problems (application/problem+json).',
      },
      servers: [{ url: '/' }],
      tags: [
        { name: 'articles', description: 'Published articles' },
        { name: 'comments', description: 'Reader comments' },
        { name: 'products', description: 'Products and the articles featuring them' },
        { name: 'site', description: 'Site-wide settings' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'admin-articles', description: 'Management: articles, sections and tips (editor, admin)' },
        { name: 'admin-products', description: 'Management: products (editor, admin)' },
        { name: 'admin-comments', description: 'Management: comment moderation (moderator, admin)' },
        { name: 'admin-keys', description: 'Management: API keys (admin)' },
      ],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'An API key: "Authorization: Bearer quire_…". Roles: admin, editor, moderator.' },
        },
      },
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
    transformObject: jsonSchemaTransformObject,
  });
  // Same-origin assets only; no upgrade-insecure-requests, which would break /docs over plain HTTP on a laptop.
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'frame-ancestors': ["'self'"],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
