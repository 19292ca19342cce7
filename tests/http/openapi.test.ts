import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: unknown;
  responses?: Record<
    string,
    { content?: Record<string, unknown>; headers?: Record<string, { required?: boolean; schema?: unknown }> }
  >;
};

async function operationsOf() {
  const { app } = await createTestApp();
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const operations: [string, Operation][] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>))
    for (const method of METHODS) if (item[method]) operations.push([`${method.toUpperCase()} ${path}`, item[method]]);
  return { doc, operations, byId: new Map(operations.map(([, op]) => [op.operationId, op])) };
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document with an operationId, tag and error schemas on every operation', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();

    const operations: [string, Operation][] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const method of METHODS)
        if (item[method]) operations.push([`${method.toUpperCase()} ${path}`, item[method]]);
    }
    const names = operations.map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /healthz',
        'GET /readyz',
        'GET /v1/site',
        'GET /v1/articles',
        'GET /v1/articles/{slug}',
        'GET /v1/articles/{slug}/comments',
        'GET /v1/products',
        'GET /v1/products/{slug}',
      ]),
    );
    const ids = operations.map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [name, op] of operations) {
      expect(op.operationId, name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.tags?.length, name).toBeGreaterThan(0);
      expect(
        Object.keys(op.responses ?? {}).some((status) => /^2\d\d$/.test(status)),
        name,
      ).toBe(true);
      expect(op.responses?.['500']?.content?.['application/problem+json'], name).toBeDefined();
    }
    const getArticle = doc.paths['/v1/articles/{slug}'].get;
    expect(getArticle.responses['304']).toBeDefined();
    expect(getArticle.responses['200'].headers).toHaveProperty('ETag');
    expect(getArticle.responses['301'].headers).toHaveProperty('Location');
    expect(getArticle.parameters.map((p: { name: string }) => p.name)).toContain('If-None-Match');
    expect(doc.paths['/v1/admin/articles'].post.responses['201'].headers).toHaveProperty('Location');
    expect(doc.paths['/v1/admin/articles/{id}/publish'].post.requestBody.required).toBe(false);
    expect(doc.paths['/v1/articles/{slug}/comments'].post.responses['429'].headers).toHaveProperty('Retry-After');
    expect(doc.components.schemas).toHaveProperty('Article');
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(
      expect.arrayContaining(['invalid_request', 'not_found', 'precondition_failed', 'rate_limited', 'internal']),
    );
    expect(doc.paths['/v1/admin/site'].get.responses['200'].headers).toHaveProperty('ETag');
    expect(doc.paths['/v1/admin/site'].patch.responses['412']).toBeDefined();
    expect(doc.paths['/v1/feeds/rss.xml'].get.responses['200'].content).toHaveProperty('application/rss+xml');
    expect(doc.paths['/sitemap.xml'].get.responses['304']).toBeDefined();
    expect(doc.components.schemas.Article.properties).toHaveProperty('introHtml');
  });

  it('documents 413 and 415 problems on every operation that takes a body, and on no other', async () => {
    const { operations } = await operationsOf();
    const withBody = operations.filter(([, op]) => op.requestBody);
    expect(withBody.length).toBeGreaterThanOrEqual(15);
    for (const [name, op] of operations) {
      for (const status of ['413', '415'])
        expect(op.responses?.[status]?.content?.['application/problem+json'] !== undefined, `${name} ${status}`).toBe(
          op.requestBody !== undefined,
        );
    }
  });

  it('declares ETag exactly on the responses that send one, and the always-sent headers as required', async () => {
    const { byId } = await operationsOf();
    const headersOf = (id: string, status: string) => byId.get(id)?.responses?.[status]?.headers ?? {};
    for (const [id, status] of [
      ['adminCreateArticle', '201'],
      ['adminGetArticle', '200'],
      ['adminCreateSection', '201'],
      ['adminUpdateSection', '200'],
      ['adminDeleteSection', '200'],
      ['adminCreateTip', '201'],
      ['adminUpdateTip', '200'],
      ['adminDeleteTip', '200'],
      ['adminGetComment', '200'],
      ['getArticle', '200'],
      ['getArticle', '304'],
    ] as const)
      expect(headersOf(id, status).ETag?.required, `${id} ${status}`).toBe(true);
    for (const id of ['adminListArticles', 'adminListComments', 'adminModerateComments'])
      expect(headersOf(id, '200'), id).not.toHaveProperty('ETag');
    expect(headersOf('adminCreateArticle', '201').Location?.required).toBe(true);
    expect(headersOf('createApiKey', '201').Location?.required).toBe(true);
    expect(headersOf('adminGetArticle', '401')['WWW-Authenticate']?.required).toBe(true);
    expect(headersOf('adminGetArticle', '200')['Cache-Control']?.required).toBe(true);
    expect(headersOf('submitComment', '429')['Retry-After']?.required).toBe(true);
    expect(headersOf('submitComment', '202')['X-RateLimit-Remaining']?.required).toBe(true);
    expect(headersOf('getArticle', '301').Location?.required).toBe(true);
    expect(headersOf('getArticle', '404')['Cache-Control']?.required).toBe(true);
  });

  it('marks public operations with security: [] and management ones with the bearer scheme', async () => {
    const { operations } = await operationsOf();
    for (const [name, op] of operations)
      expect(op.security, name).toEqual(name.includes(' /v1/admin/') ? [{ bearerAuth: [] }] : []);
  });

  it('keeps only the components operations use, without …Input twins, request types as at run time', async () => {
    const { doc } = await operationsOf();
    const names = Object.keys(doc.components.schemas);
    expect(names.filter((name) => name.endsWith('Input'))).toEqual([]);
    const text = JSON.stringify({ paths: doc.paths, schemas: doc.components.schemas });
    for (const name of names) expect(text, name).toContain(`"#/components/schemas/${name}"`);
    // sections has a default: optional in a request, as the server accepts it.
    expect(doc.components.schemas.ArticleCreate.required).toEqual(['title']);
    expect(doc.paths['/v1/admin/articles'].post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ArticleCreate',
    );
  });

  it('serves Swagger UI from the package, with no CDN', async () => {
    const { app } = await createTestApp();
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).not.toMatch(/https?:\/\/(?!localhost)[^"']*\.(js|css)/);
    const script = page.body.match(/src="\.?\/?([^"]*swagger-ui-bundle\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await app.inject({ method: 'GET', url: `/docs/${script!.replace(/^\.?\/?(docs\/)?/, '')}` });
    expect(asset.statusCode).toBe(200);
  });
});
