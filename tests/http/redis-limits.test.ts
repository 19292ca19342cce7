import { describe, expect, it } from 'vitest';
import { createTestApp, testConfig } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';
import { freePort, REDIS_URL } from '../processes/helpers.js';

const policy = {
  ...testConfig().comments,
  rateLimitMax: 2,
  rateLimitWindowMs: 60_000,
  minSubmitSeconds: 0,
  duplicateWindowMs: 600_000,
  spamThreshold: 1,
  blockedWords: [],
};
const comment = (i: number) => ({ authorName: 'Ada', authorEmail: 'ada@example.org', body: `Comment number ${i}.` });

describe('rate limits with Redis down', () => {
  it('fail open: submissions and management requests get their usual answers, never a 500', async () => {
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const { app, db } = await createTestApp({
      config: { comments: policy, redisUrl, authFailureLimit: { max: 1, windowMs: 60_000 } },
    });
    const { slug } = await createArticle(db);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await app.inject({ method: 'POST', url: `/v1/articles/${slug}/comments`, payload: comment(i) });
      statuses.push(response.statusCode);
    }
    // No count to go by: nothing is limited, and nothing fails.
    expect(statuses).toEqual([202, 202, 202]);
    const failures = await Promise.all(
      [1, 2].map(() => app.inject({ method: 'GET', url: '/v1/admin/articles', headers: bearer('quire_wrong') })),
    );
    expect(failures.map((r) => r.statusCode)).toEqual([401, 401]);
  });
});

describe.runIf(REDIS_URL)('rate limits in Redis', () => {
  it('count failed authentications across processes: failures on one app block the address on another', async () => {
    const shared = { redisUrl: REDIS_URL!, redisPrefix: `quire-test-${process.pid}-${Date.now()}:` };
    const limit = { authFailureLimit: { max: 2, windowMs: 60_000 } };
    const one = await createTestApp({ config: { ...shared, ...limit } });
    const two = await createTestApp({ config: { ...shared, ...limit } });
    const key = await createKeyFor(two.db, 'editor');
    for (const app of [one.app, one.app]) {
      expect(
        (await app.inject({ method: 'GET', url: '/v1/admin/articles', headers: bearer('quire_x') })).statusCode,
      ).toBe(401);
    }
    const blocked = await two.app.inject({ method: 'GET', url: '/v1/admin/articles', headers: bearer(key) });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('count comment submissions across processes', async () => {
    const shared = { redisUrl: REDIS_URL!, redisPrefix: `quire-test-${process.pid}-${Date.now()}-c:` };
    const one = await createTestApp({ config: { ...shared, comments: policy } });
    const two = await createTestApp({ config: { ...shared, comments: policy } });
    const slugOne = (await createArticle(one.db)).slug;
    const slugTwo = (await createArticle(two.db)).slug;
    const statuses = [];
    for (const [app, slug, i] of [
      [one.app, slugOne, 0],
      [two.app, slugTwo, 1],
      [one.app, slugOne, 2],
    ] as const) {
      statuses.push(
        (await app.inject({ method: 'POST', url: `/v1/articles/${slug}/comments`, payload: comment(i) })).statusCode,
      );
    }
    expect(statuses).toEqual([202, 202, 429]);
  });
});
