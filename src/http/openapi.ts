import { isDeepStrictEqual } from 'node:util';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { BEARER_SCHEME } from './auth.js';
import { PROBLEM_CONTENT_TYPE, PROBLEM_HEADERS } from './errors.js';
import { documentResponseHeaders, type HeaderDoc } from './response-headers.js';

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
        { name: 'changes', description: 'The change feed: what changed in public content, in commit order' },
        { name: 'preview', description: 'Draft previews through signed preview links' },
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
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: { required?: boolean };
  responses?: Record<string, { description?: string; headers?: Record<string, unknown>; content?: object }>;
};
type OpenApiDocument = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
} & Record<string, unknown>;

const OPTIONAL_BODY = new Set(['adminPublishArticle', 'adminUnpublishArticle']);
const BODILESS_DESCRIPTIONS = { '304': 'Not Modified: the ETag still matches' };

/**
 * What the zod schemas cannot say: each route's declared response headers (see response-headers.ts),
 * the If-None-Match of reads that can answer 304, `security: []` on public operations, the headers of
 * every problem, and only the components the operations use.
 */
function documentHttpSemantics(doc: OpenApiDocument): OpenApiDocument {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item)) {
      documentResponseHeaders(op, BODILESS_DESCRIPTIONS);
      // No roles declared: anyone may call it, which OpenAPI says with an empty requirement list.
      op.security ??= [];
      for (const response of Object.values(op.responses ?? {})) {
        if (response.content && PROBLEM_CONTENT_TYPE in response.content)
          response.headers = { ...response.headers, ...headerObjects(PROBLEM_HEADERS) };
      }
      if (op.responses?.['304']) {
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
      }
      if (op.operationId && OPTIONAL_BODY.has(op.operationId) && op.requestBody) op.requestBody.required = false;
    }
  }
  keepUsedComponents(doc);
  return doc;
}

function headerObjects(headers: Record<string, HeaderDoc>) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, { description, required }]) => [
      name,
      { description, required, schema: { type: 'string' } },
    ]),
  );
}

const SCHEMA_REF = '#/components/schemas/';

function referencedSchemas(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) referencedSchemas(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF))
        found.add(inner.slice(SCHEMA_REF.length));
      else referencedSchemas(inner, found);
    }
  }
}

/**
 * fastify-type-provider-zod registers an input and an output variant (`XInput`, `X`) of every named
 * schema. Only those the operations reach stay, and an input variant whose output twin is unused takes
 * the plain name, so a generated client's request types read `ArticleCreate`, not `ArticleCreateInput`.
 */
function keepUsedComponents(doc: OpenApiDocument): void {
  const schemas = doc.components?.schemas;
  if (!schemas) return;
  const used = new Set<string>();
  referencedSchemas(doc.paths, used);
  for (let pending = [...used]; pending.length > 0; ) {
    const next = new Set<string>();
    for (const name of pending) referencedSchemas(schemas[name], next);
    pending = [...next].filter((name) => !used.has(name));
    for (const name of pending) used.add(name);
  }
  const renames = new Map<string, string>();
  for (const name of used) {
    const plain = name.endsWith('Input') ? name.slice(0, -'Input'.length) : undefined;
    // Unused output twin, or an identical one: the input variant goes by the plain name.
    if (plain && (!used.has(plain) || isDeepStrictEqual(schemas[plain], schemas[name]))) renames.set(name, plain);
  }
  for (const name of renames.keys()) used.delete(name);
  for (const [from, to] of renames) if (!used.has(to)) schemas[to] = schemas[from];
  for (const to of renames.values()) used.add(to);
  const kept: Record<string, unknown> = {};
  for (const name of Object.keys(schemas)) if (used.has(name)) kept[name] = schemas[name];
  const renamed = renameRefs({ paths: doc.paths, schemas: kept }, renames) as typeof doc & { schemas: typeof kept };
  doc.paths = renamed.paths;
  doc.components = { ...doc.components, schemas: renamed.schemas };
}

function renameRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, renames));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF)) {
        const name = inner.slice(SCHEMA_REF.length);
        return [key, `${SCHEMA_REF}${renames.get(name) ?? name}`];
      }
      return [key, renameRefs(inner, renames)];
    }),
  );
}
