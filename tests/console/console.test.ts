import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';

const root = new URL('../../', import.meta.url);

describe('/console', () => {
  beforeAll(() => {
    // What `npm install` (prepare) does for the console: compile it into dist/console.
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'console/tsconfig.json'], {
      cwd: root,
    });
  }, 60_000);

  it('serves the page with a strict same-origin Content-Security-Policy and no inline script', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/console' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.body).toContain('<script type="module" src="/console/app.js"></script>');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/https?:\/\//);
  });

  it('serves its compiled script and openapi-fetch from node_modules, nothing from a CDN', async () => {
    const { app } = await createTestApp();
    const script = await app.inject({ method: 'GET', url: '/console/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.body).toContain("from './openapi-fetch.js'");
    expect(script.body).not.toMatch(/https?:\/\/(?!\/)/);
    const client = await app.inject({ method: 'GET', url: '/console/openapi-fetch.js' });
    expect(client.statusCode).toBe(200);
    expect(client.body).toBe(await readFile(new URL('node_modules/openapi-fetch/dist/index.mjs', root), 'utf8'));
    const css = await app.inject({ method: 'GET', url: '/console/console.css' });
    expect(css.headers['content-type']).toContain('text/css');
  });

  it('answers a problem for a file it does not serve', async () => {
    const { app } = await createTestApp();
    for (const url of ['/console/nope.js', '/console/..%2Fpackage.json']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});
