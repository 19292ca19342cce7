import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/schema.js';
import { createTestApp, testConfig } from '../helpers/app.js';
import { createArticle, createComment, createProduct, createSite } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

/**
 * The OpenAPI document against what the server really sends: every operation in the document is
 * called in the ways that produce its documented statuses, and each answer must be a documented
 * status, carry every header documented as required for it, document every watched header it sends,
 * and match the documented body schema. A route added without a way to call it here fails the test.
 */

type HeaderSpec = { required?: boolean };
type ResponseSpec = { headers?: Record<string, HeaderSpec>; content?: Record<string, { schema?: object }> };
type Operation = {
  operationId: string;
  security?: unknown[];
  requestBody?: unknown;
  parameters?: { in: string; name: string }[];
  responses: Record<string, ResponseSpec>;
  'x-required-roles'?: Role[];
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ROLES: Role[] = ['admin', 'editor', 'moderator'];
// Headers whose presence the document must state: sending one undocumented is drift too.
const WATCHED = [
  'etag',
  'location',
  'www-authenticate',
  'retry-after',
  'cache-control',
  'surrogate-key',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];
const BODY_LIMIT = 16 * 1024;

async function openApiDocument() {
  const { app } = await createTestApp();
  return (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
}

const doc = await openApiDocument();
const operations: { method: (typeof METHODS)[number]; path: string; op: Operation }[] = [];
for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>))
  for (const method of METHODS) if (item[method]) operations.push({ method, path, op: item[method] });

const ajv = new Ajv2020({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its function is the module's `default` property under NodeNext.
(addFormats as unknown as { default: (ajv: Ajv2020) => void }).default(ajv);
ajv.addSchema({ $id: 'quire', components: doc.components });
const bodySchemaOf = (response: ResponseSpec) => {
  const content = response.content ?? {};
  return (content['application/json'] ?? content['application/problem+json'])?.schema;
};
const refsToDocument = (schema: object) =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"quire#/components/'));

/** Every entity an operation may need, in a fresh database; the admin key may call anything. */
async function world() {
  const ctx = await createTestApp({
    config: { bodyLimit: BODY_LIMIT, comments: { ...testConfig().comments, rateLimitMax: 1000 } },
  });
  const admin = bearer(await createKeyFor(ctx.db, 'admin', 'Ops'));
  await createSite(ctx.db);
  const product = await createProduct(ctx.db, { slug: 'shoe' });
  const article = await createArticle(ctx.db, {
    slug: 'live',
    sections: [
      {
        heading: 'One',
        tips: [
          { title: 'T1', body: 'B1' },
          { title: 'T2', body: 'B2' },
        ],
      },
      { heading: 'Two', tips: [{ title: 'T3', body: 'B3' }] },
    ],
    products: [{ productId: product.id }],
  });
  const spare = await createArticle(ctx.db, { slug: 'spare' });
  // Moving the spare article leaves a redirect to release.
  await ctx.app.inject({
    method: 'PATCH',
    url: `/v1/admin/articles/${spare.id}`,
    headers: admin,
    payload: { slug: 'spare-moved' },
  });
  const comment = await createComment(ctx.db, { articleId: article.id, status: 'pending' });
  const editorKey = await createKeyFor(ctx.db, 'editor', 'Spare key');
  const [spareKey] = await ctx.db.read.query.apiKeys.findMany({ where: (k, { eq }) => eq(k.name, 'Spare key') });
  const full = (
    await ctx.app.inject({ method: 'GET', url: `/v1/admin/articles/${article.id}`, headers: admin })
  ).json();
  return {
    ...ctx,
    admin,
    editorKey,
    ids: {
      article: article.id,
      spare: spare.id,
      section: full.sections[1].id as number,
      tip: full.sections[0].tips[1].id as number,
      product: product.id,
      comment,
      key: spareKey!.id,
    },
  };
}

type World = Awaited<ReturnType<typeof world>>;
type Call = { id?: number | string; slug?: string; query?: string; body?: object };

/** How to call each operation successfully in a fresh world. */
const SUCCESS: Record<string, (w: World) => Call> = {
  getLiveness: () => ({}),
  getReadiness: () => ({}),
  getSite: () => ({}),
  listArticles: () => ({ query: 'limit=5' }),
  getArticle: () => ({ slug: 'live' }),
  listArticleComments: () => ({ slug: 'live' }),
  submitComment: () => ({ slug: 'live', body: { authorName: 'Jo', authorEmail: 'jo@example.com', body: 'Nice.' } }),
  listProducts: () => ({}),
  getProduct: () => ({ slug: 'shoe' }),
  adminListArticles: () => ({ query: 'status=published' }),
  adminCreateArticle: () => ({ body: { title: 'Created', sections: [{ heading: 'H' }] } }),
  adminGetArticle: (w) => ({ id: w.ids.article }),
  adminUpdateArticle: (w) => ({ id: w.ids.article, body: { title: 'Renamed' } }),
  adminDeleteArticle: (w) => ({ id: w.ids.spare }),
  adminPublishArticle: (w) => ({ id: w.ids.spare }),
  adminUnpublishArticle: (w) => ({ id: w.ids.article, body: {} }),
  adminSetArticleProducts: (w) => ({ id: w.ids.article, body: { products: [] } }),
  adminReleaseRedirect: () => ({ slug: 'spare' }),
  adminCreateSection: (w) => ({ id: w.ids.article, body: { heading: 'Three' } }),
  adminUpdateSection: (w) => ({ id: w.ids.section, body: { position: 1 } }),
  adminDeleteSection: (w) => ({ id: w.ids.section }),
  adminCreateTip: (w) => ({ id: w.ids.section, body: { title: 'T4', body: 'B4' } }),
  adminUpdateTip: (w) => ({ id: w.ids.tip, body: { body: 'Edited' } }),
  adminDeleteTip: (w) => ({ id: w.ids.tip }),
  adminListProducts: () => ({}),
  adminCreateProduct: () => ({ body: { name: 'Cushion' } }),
  adminGetProduct: (w) => ({ id: w.ids.product }),
  adminUpdateProduct: (w) => ({ id: w.ids.product, body: { inStock: false } }),
  adminDeleteProduct: (w) => ({ id: w.ids.product, query: 'force=true' }),
  adminListComments: () => ({ query: 'status=pending' }),
  adminGetComment: (w) => ({ id: w.ids.comment }),
  adminModerateComment: (w) => ({ id: w.ids.comment, body: { status: 'approved' } }),
  adminModerateComments: (w) => ({ body: { ids: [w.ids.comment], status: 'approved' } }),
  adminDeleteComment: (w) => ({ id: w.ids.comment }),
  listApiKeys: () => ({}),
  createApiKey: () => ({ body: { name: 'New', role: 'moderator' } }),
  getApiKey: (w) => ({ id: w.ids.key }),
  revokeApiKey: (w) => ({ id: w.ids.key }),
};

function urlOf(path: string, call: Call): string {
  const url = path.replace('{id}', String(call.id ?? '')).replace('{slug}', String(call.slug ?? ''));
  return call.query ? `${url}?${call.query}` : url;
}

function checkAgainstDocument(what: string, op: Operation, res: LightMyRequestResponse): string {
  const status = String(res.statusCode);
  expect(res.statusCode, `${what}: never a 5xx (${res.body.slice(0, 200)})`).toBeLessThan(500);
  const documented = op.responses[status];
  expect(documented, `${what}: status ${status} is not documented (${res.body.slice(0, 200)})`).toBeDefined();
  const headers = Object.fromEntries(
    Object.entries(documented!.headers ?? {}).map(([name, spec]) => [name.toLowerCase(), spec]),
  );
  for (const [name, spec] of Object.entries(headers))
    if (spec.required) expect(res.headers[name], `${what}: required ${name} missing on ${status}`).toBeDefined();
  for (const name of WATCHED)
    if (res.headers[name] !== undefined)
      expect(Object.keys(headers), `${what}: ${name} is sent on ${status} but not documented`).toContain(name);
  const schema = bodySchemaOf(documented!);
  if (schema && res.body !== '') {
    const validate = ajv.compile(refsToDocument(schema));
    const valid = validate(res.json());
    expect(valid, `${what}: body breaks the ${status} schema: ${ajv.errorsText(validate.errors)}`).toBe(true);
  } else if (res.body !== '') expect.fail(`${what}: ${status} documents no body but sent one`);
  return status;
}

describe('every operation answers as its OpenAPI document says', () => {
  it('has a successful call for exactly the documented operations', () => {
    expect(operations.length).toBeGreaterThanOrEqual(38);
    expect(operations.map(({ op }) => op.operationId).sort()).toEqual(Object.keys(SUCCESS).sort());
  });

  it.each(
    operations.map(({ method, path, op }) => [`${op.operationId} (${method.toUpperCase()} ${path})`, method, path, op]),
  )('%s: success, 400, 401/403, 404, 413, 415 and 304 as documented', async (name, method, path, op) => {
    const w = await world();
    const success = SUCCESS[op.operationId]!(w);
    const management = (op.security ?? []).length > 0;
    const observed = new Set<string>();
    const send = async (what: string, options: Omit<InjectOptions, 'method'> & { url: string }) => {
      const res = await w.app.inject({ method: method.toUpperCase() as 'GET', ...options });
      observed.add(checkAgainstDocument(`${name} ${what}`, op, res));
      return res;
    };
    const auth = management ? w.admin : {};
    const json = (body: object | undefined) => (body === undefined ? {} : { payload: body });

    if (management) {
      expect((await send('without a key', { url: urlOf(path, success), ...json(success.body) })).statusCode).toBe(401);
      const refused = ROLES.find((role) => !op['x-required-roles']?.includes(role));
      if (refused) {
        const key = bearer(await createKeyFor(w.db, refused, `${refused} probe`));
        const res = await send(`as ${refused}`, { url: urlOf(path, success), headers: key, ...json(success.body) });
        expect(res.statusCode).toBe(403);
      }
    }

    // Malformed: a non-integer id, an invalid slug, an unknown body field or an unknown query field.
    const malformed: Call | undefined = path.includes('{id}')
      ? { ...success, id: 'abc' }
      : path.includes('{slug}')
        ? { ...success, slug: 'Not_A_Slug' }
        : op.requestBody
          ? { ...success, body: { ...success.body, unexpectedField: 1 } }
          : op.parameters?.some((p) => p.in === 'query')
            ? { ...success, query: 'unexpectedField=1' }
            : undefined;
    if (malformed) {
      const res = await send('malformed', { url: urlOf(path, malformed), headers: auth, ...json(malformed.body) });
      expect(res.statusCode).toBe(400);
    }

    if (op.responses['404']) {
      const missing = { ...success, ...(path.includes('{id}') ? { id: 999_999 } : { slug: 'no-such-slug' }) };
      if (path.includes('{id}') || path.includes('{slug}')) {
        const res = await send('missing', { url: urlOf(path, missing), headers: auth, ...json(success.body) });
        expect(res.statusCode).toBe(404);
      } else {
        // No parameter to miss: the resource itself is absent in an empty database.
        const empty = await createTestApp();
        const res = await empty.app.inject({ method: method.toUpperCase() as 'GET', url: urlOf(path, success) });
        observed.add(checkAgainstDocument(`${name} on an empty database`, op, res));
        expect(res.statusCode).toBe(404);
      }
    }

    if (op.requestBody) {
      const tooLarge = await send('with a body over the limit', {
        url: urlOf(path, success),
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ title: 'x'.repeat(BODY_LIMIT) }),
      });
      expect(tooLarge.statusCode).toBe(413);
      const notJson = await send('with a text body', {
        url: urlOf(path, success),
        headers: { ...auth, 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expect(notJson.statusCode).toBe(415);
    }

    const ok = await send('as documented', { url: urlOf(path, success), headers: auth, ...json(success.body) });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBeLessThan(300);

    if (op.responses['304']) {
      const again = await send('revalidated', {
        url: urlOf(path, success),
        headers: { 'if-none-match': ok.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
    }

    // Everything documented that these calls can produce was produced: the document promises nothing unsendable.
    const probed = ['304', '400', '401', '403', '404', '413', '415'];
    for (const status of Object.keys(op.responses)) {
      if (/^2/.test(status) || probed.includes(status))
        expect(observed, `${name}: documented ${status} never observed`).toContain(status);
    }
  });
});
