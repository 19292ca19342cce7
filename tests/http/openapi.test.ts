import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

type Operation = {
  operationId?: string;
  tags?: string[];
  responses?: Record<string, { content?: Record<string, unknown> }>;
};

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
