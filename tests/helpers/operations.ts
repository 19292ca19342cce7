import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { recordEvents } from '../../src/db/outbox.js';
import type { Role } from '../../src/db/schema.js';
import { fanOutEvents } from '../../src/modules/webhooks/webhooks.dispatch.js';
import { createTestApp, tables, testConfig } from './app.js';
import { createArticle, createComment, createProduct, createSite } from './factories.js';
import { bearer, createKeyFor } from './keys.js';

/** The OpenAPI document's operations, a world to call them in, and the document's schemas to check answers. */

export type HeaderSpec = { required?: boolean };
export type ResponseSpec = { headers?: Record<string, HeaderSpec>; content?: Record<string, { schema?: object }> };
export type Operation = {
  operationId: string;
  security?: unknown[];
  requestBody?: unknown;
  parameters?: { in: string; name: string }[];
  responses: Record<string, ResponseSpec>;
  'x-required-roles'?: Role[];
};
export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export const ROLES: Role[] = ['admin', 'editor', 'moderator'];
// Headers whose presence the document must state: sending one undocumented is drift too.
export const WATCHED = [
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
export const BODY_LIMIT = 16 * 1024;

async function openApiDocument() {
  const { app } = await createTestApp();
  return (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
}

export const doc = await openApiDocument();
export const operations: { method: (typeof METHODS)[number]; path: string; op: Operation }[] = [];
for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>))
  for (const method of METHODS) if (item[method]) operations.push({ method, path, op: item[method] });

export const ajv = new Ajv2020({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its function is the module's `default` property under NodeNext.
(addFormats as unknown as { default: (ajv: Ajv2020) => void }).default(ajv);
ajv.addSchema({ $id: 'quire', components: doc.components });
export const bodySchemaOf = (response: ResponseSpec, contentType = 'application/json') => {
  const content = response.content ?? {};
  const type = contentType.split(';')[0]!.trim();
  return (content[type] ?? content['application/json'] ?? content['application/problem+json'])?.schema;
};
const validators = new Map<ResponseSpec, ValidateFunction>();
// Compiled once per documented response: the fuzz checks thousands of answers.
const validatorOf = (response: ResponseSpec, schema: object) => {
  let validate = validators.get(response);
  if (!validate) {
    validate = ajv.compile(refsToDocument(schema));
    validators.set(response, validate);
  }
  return validate;
};
export const refsToDocument = (schema: object) =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"quire#/components/'));

/** Every entity an operation may need, in a fresh database; the admin key may call anything. */
export async function world() {
  const ctx = await createTestApp({
    // A site URL for feeds and the sitemap, and a sitemap small enough to be an index of parts.
    config: {
      bodyLimit: BODY_LIMIT,
      comments: { ...testConfig().comments, rateLimitMax: 1000 },
      siteUrl: 'https://shop.example',
      sitemapMaxUrls: 1,
    },
  });
  const admin = bearer(await createKeyFor(ctx.db, 'admin', 'Ops'));
  await createSite(ctx.db);
  const product = await createProduct(ctx.db, { slug: 'shoe' });
  const article = await createArticle(ctx.db, {
    slug: 'live',
    tags: ['knee'],
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
  const block = (
    await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/comment-blocks',
      headers: admin,
      payload: { kind: 'email', value: 'blocked@example.com' },
    })
  ).json();
  // A webhook with one delivery (fanned out, never sent: background work is off in tests).
  const webhook = (
    await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/webhooks',
      headers: admin,
      payload: { url: 'https://hooks.example.com/quire' },
    })
  ).json();
  await ctx.db.withTransaction((tx) =>
    recordEvents({
      tx,
      events: [{ type: 'site.updated', kind: 'site', resourceId: 1, slug: null, surrogateKeys: ['site'] }],
      at: ctx.clock.now.toISOString(),
    }),
  );
  // On PostgreSQL a reader stops below any transaction its snapshot saw running (one of another test's
  // database may count until it ends), so the event can need another pass, as the dispatcher's loop gives it.
  let [delivery] = await ctx.db.read.select().from(tables.webhookDeliveries);
  for (let pass = 0; !delivery && pass < 200; pass++) {
    await fanOutEvents({ db: ctx.db });
    [delivery] = await ctx.db.read.select().from(tables.webhookDeliveries);
    if (!delivery) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const preview = (
    await ctx.app.inject({ method: 'POST', url: `/v1/admin/articles/${spare.id}/preview`, headers: admin })
  ).json();
  const editorKey = await createKeyFor(ctx.db, 'editor', 'Spare key');
  const [spareKey] = (await ctx.db.read.select().from(tables.apiKeys)).filter((k) => k.name === 'Spare key');
  const full = (
    await ctx.app.inject({ method: 'GET', url: `/v1/admin/articles/${article.id}`, headers: admin })
  ).json();
  return {
    ...ctx,
    admin,
    editorKey,
    previewToken: preview.token as string,
    ids: {
      article: article.id,
      spare: spare.id,
      section: full.sections[1].id as number,
      tip: full.sections[0].tips[1].id as number,
      product: product.id,
      comment,
      block: block.id as number,
      key: spareKey!.id,
      webhook: webhook.id as number,
      delivery: delivery!.id,
    },
  };
}

export type World = Awaited<ReturnType<typeof world>>;
export type Call = {
  id?: number | string;
  deliveryId?: number;
  slug?: string;
  file?: string;
  query?: string;
  body?: object;
};

/** How to call each operation successfully in a fresh world. */
export const SUCCESS: Record<string, (w: World) => Call> = {
  getLiveness: () => ({}),
  getReadiness: () => ({}),
  getSite: () => ({}),
  listArticles: () => ({ query: 'limit=5&tag=knee&tag=hip&sort=title&count=true' }),
  getArticle: () => ({ slug: 'live' }),
  listArticleComments: () => ({ slug: 'live' }),
  submitComment: () => ({ slug: 'live', body: { authorName: 'Jo', authorEmail: 'jo@example.com', body: 'Nice.' } }),
  listProducts: () => ({}),
  getProduct: () => ({ slug: 'shoe' }),
  listTags: () => ({}),
  getTag: () => ({ slug: 'knee' }),
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
  adminListCommentBlocks: () => ({}),
  adminCreateCommentBlock: () => ({ body: { kind: 'word', value: 'turnip' } }),
  adminGetCommentBlock: (w) => ({ id: w.ids.block }),
  adminDeleteCommentBlock: (w) => ({ id: w.ids.block }),
  listApiKeys: () => ({}),
  createApiKey: () => ({ body: { name: 'New', role: 'moderator' } }),
  getApiKey: (w) => ({ id: w.ids.key }),
  revokeApiKey: (w) => ({ id: w.ids.key }),
  getRssFeed: () => ({}),
  getAtomFeed: () => ({}),
  getJsonFeed: () => ({}),
  getSitemap: () => ({}),
  getSitemapPart: () => ({ file: '1.xml' }),
  listWebhooks: () => ({}),
  createWebhook: () => ({ body: { url: 'https://hooks.example.com/other', events: ['article.published'] } }),
  getWebhook: (w) => ({ id: w.ids.webhook }),
  updateWebhook: (w) => ({ id: w.ids.webhook, body: { enabled: false } }),
  deleteWebhook: (w) => ({ id: w.ids.webhook }),
  listWebhookDeliveries: (w) => ({ id: w.ids.webhook }),
  redeliverWebhookDelivery: (w) => ({ id: w.ids.webhook, deliveryId: w.ids.delivery }),
  // "MC4w" is the cursor of the outbox's start (txId 0, id 0): the whole retained history.
  listChanges: () => ({ query: 'since=MC4w&limit=10' }),
  adminCreatePreviewLink: (w) => ({ id: w.ids.spare }),
  adminRevokePreviewLinks: (w) => ({ id: w.ids.spare }),
  getArticlePreview: (w) => ({ id: w.ids.spare, query: `token=${w.previewToken}` }),
  adminGetSite: () => ({}),
  adminUpdateSite: () => ({ body: { announcement: 'Free shipping this week' } }),
};

export function urlOf(path: string, call: Call): string {
  const url = path
    .replace('{id}', String(call.id ?? ''))
    .replace('{deliveryId}', String(call.deliveryId ?? ''))
    .replace('{slug}', String(call.slug ?? ''))
    .replace('{file}', String(call.file ?? ''));
  return call.query ? `${url}?${call.query}` : url;
}

/** Checks one answer against the document: a documented status, its required headers, no undocumented watched header, its body schema. */
export function checkAgainstDocument(what: string, op: Operation, res: LightMyRequestResponse): string {
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
  const type = String(res.headers['content-type'] ?? 'application/json');
  const documentedTypes = Object.keys(documented!.content ?? {});
  if (res.body !== '' && !type.includes('json')) {
    // XML (feeds, the sitemap): the content type must be one the document names; its schema is for JSON only.
    expect(documentedTypes, `${what}: ${type} is not documented for ${status}`).toContain(type.split(';')[0]!.trim());
    return status;
  }
  const schema = bodySchemaOf(documented!, type);
  if (schema && res.body !== '') {
    const validate = validatorOf(documented!, schema);
    const valid = validate(res.json());
    expect(valid, `${what}: body breaks the ${status} schema: ${ajv.errorsText(validate.errors)}`).toBe(true);
  } else if (res.body !== '') expect.fail(`${what}: ${status} documents no body but sent one`);
  return status;
}
