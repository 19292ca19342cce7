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
        { name: 'feeds', description: 'RSS, Atom and JSON feeds, and the sitemap' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'admin-articles', description: 'Management: articles, sections and tips (editor, admin)' },
        { name: 'admin-products', description: 'Management: products (editor, admin)' },
        { name: 'admin-comments', description: 'Management: comment moderation (moderator, admin)' },
        { name: 'admin-keys', description: 'Management: API keys (admin)' },
        { name: 'admin-site', description: 'Management: site settings (editor, admin)' },
      ],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key: "Authorization: Bearer quire_…". Roles: admin, editor, moderator.',
          },
        },
      },
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
    transformObject: (input) => documentHttpSemantics(jsonSchemaTransformObject(input) as OpenApiDocument),
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

type Operation = {
  operationId?: string;
  parameters?: unknown[];
  requestBody?: { required?: boolean };
  responses?: Record<string, { description?: string; headers?: Record<string, unknown> }>;
};
type OpenApiDocument = { paths?: Record<string, Record<string, Operation>> } & Record<string, unknown>;

const header = (description: string) => ({ description, schema: { type: 'string' } });
const OPTIONAL_BODY = new Set(['adminPublishArticle', 'adminUnpublishArticle']);

/**
 * What the zod schemas cannot say: conditional requests and 304s on public reads, and the
 * headers (ETag, Location, Retry-After…) that responses carry. One place, applied to the whole document.
 */
function documentHttpSemantics(doc: OpenApiDocument): OpenApiDocument {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const responses = op.responses ?? {};
      const publicRead =
        method === 'get' && (path.startsWith('/v1/') || path.startsWith('/sitemap')) && !path.startsWith('/v1/admin');
      if (publicRead) {
        op.parameters = [
          ...(op.parameters ?? []),
          {
            name: 'If-None-Match',
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description: 'An ETag from an earlier response: 304 when it still matches',
          },
        ];
        responses['304'] = {
          description: 'Not Modified: the ETag still matches',
          headers: { ETag: header('The current ETag'), 'Cache-Control': header('Caching policy') },
        };
        const ok = responses['200'];
        if (ok)
          ok.headers = {
            ETag: header('Strong validator of this representation'),
            'Cache-Control': header('Caching policy; s-maxage never runs past the next scheduled publication'),
            'Surrogate-Key': header('What the response holds, for CDN purges (article-1 product-2 comments-1)'),
          };
      }
      for (const status of ['200', '201']) {
        const response = responses[status];
        if (response && /Article|Comment|Site/.test(op.operationId ?? '') && path.startsWith('/v1/admin'))
          response.headers = { ...response.headers, ETag: header('Send it back as If-Match on your next write') };
      }
      if (responses['201'])
        responses['201'].headers = { ...responses['201'].headers, Location: header('URL of the created resource') };
      if (responses['301']) responses['301'].headers = { Location: header('The current URL of the article') };
      if (responses['401']) responses['401'].headers = { 'WWW-Authenticate': header('Bearer realm="quire"') };
      if (responses['429'])
        responses['429'].headers = { 'Retry-After': header('Seconds until a new submission is accepted') };
      if (op.operationId && OPTIONAL_BODY.has(op.operationId) && op.requestBody) op.requestBody.required = false;
    }
  }
  return doc;
}
