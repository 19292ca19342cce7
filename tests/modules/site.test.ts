import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createSite } from '../helpers/factories.js';

describe('GET /v1/site', () => {
  it('serves the site settings', async () => {
    const { app, db } = await createTestApp();
    await createSite(db);
    const res = await app.inject({ method: 'GET', url: '/v1/site' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: 'Test site', description: null, url: null, announcement: 'Free shipping' });
    expect(res.headers['surrogate-key']).toBe('site');
  });

  it('answers 404 before the site is configured', async () => {
    const { app } = await createTestApp();
    const res = await app.inject({ method: 'GET', url: '/v1/site' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });
});
