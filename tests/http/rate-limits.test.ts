import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../src/http/client-address.js';
import { createTestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const reader = { authorName: 'Ada', authorEmail: 'ada@example.org' };
const policy = {
  rateLimitMax: 2,
  rateLimitWindowMs: 60_000,
  minSubmitSeconds: 0,
  duplicateWindowMs: 600_000,
  spamThreshold: 1,
  blockedWords: [],
  trustAfter: 1,
  spamMemoryDays: 30,
  holdLinks: 2,
};

describe('client addresses', () => {
  it('normalises ports, brackets, case, zero-compression and IPv4-mapped IPv6; refuses what is not an address', () => {
    for (const spelling of [
      '198.51.100.7',
      ' 198.51.100.7 ',
      '198.51.100.7:8080',
      '::ffff:198.51.100.7',
      '[::FFFF:c633:6407]:1',
    ]) {
      expect(normalizeAddress(spelling), spelling).toBe('198.51.100.7');
    }
    for (const spelling of ['2001:DB8::1', '2001:db8:0:0:0:0:0:1', '[2001:db8::1]:443', '2001:db8::1%eth0']) {
      expect(normalizeAddress(spelling), spelling).toBe('2001:db8::1');
    }
    for (const garbage of ['garbage', 'unknown', '198.51.100.7.1', '1.2.3.4:port', '', '999.1.1.1', 'cafe']) {
      expect(normalizeAddress(garbage), garbage).toBeUndefined();
    }
  });

  it('gives forwarded spellings of one address, and forwarded garbage, no fresh comment allowance', async () => {
    const { app, db } = await createTestApp({ config: { comments: policy, trustProxy: ['127.0.0.1'] } });
    const { slug } = await createArticle(db);
    const send = (client: string, body: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': client },
        payload: { ...reader, body },
      });
    const sameClient = ['198.51.100.7:1111', '198.51.100.7:2222', '::ffff:198.51.100.7', '[::FFFF:198.51.100.7]:3'];
    const statuses = [];
    for (const [i, client] of sameClient.entries()) statuses.push((await send(client, `same ${i}`)).statusCode);
    expect(statuses).toEqual([202, 202, 429, 429]);
    // Not an address: counted against the connecting proxy, one shared allowance.
    const garbage = [];
    for (const [i, client] of ['garbage-1', 'garbage-2', 'nope', '::zz'].entries())
      garbage.push((await send(client, `garbage ${i}`)).statusCode);
    expect(garbage).toEqual([202, 202, 429, 429]);
    expect((await send('198.51.100.8', 'another client')).statusCode).toBe(202);
  });
});

describe('failed management authentications', () => {
  it('answers 429 with Retry-After once an address has failed too often, even with a valid key, until the window passes', async () => {
    const { app, db, clock } = await createTestApp({ config: { authFailureLimit: { max: 3, windowMs: 60_000 } } });
    const admin = bearer(await createKeyFor(db, 'admin'));
    const attempt = (headers: Record<string, string>, remoteAddress = '203.0.113.9') =>
      app.inject({ method: 'GET', url: '/v1/admin/keys', headers, remoteAddress });
    expect((await attempt(admin)).statusCode).toBe(200);
    for (const guess of ['quire_guess1', 'quire_guess2']) expect((await attempt(bearer(guess))).statusCode).toBe(401);
    expect((await attempt({})).statusCode).toBe(401);

    const limited = await attempt(bearer('quire_guess3'));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.json()).toMatchObject({ status: 429, code: 'rate_limited', title: 'Too Many Requests' });
    expect((await attempt(admin)).statusCode).toBe(429);
    // Another address is not affected.
    expect((await attempt(admin, '203.0.113.10')).statusCode).toBe(200);

    clock.advance(30_000);
    expect((await attempt(admin)).headers['retry-after']).toBe('30');
    clock.advance(30_000);
    expect((await attempt(admin)).statusCode).toBe(200);
  });
});
