import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DatabaseHandles } from '../../src/db/client.js';
import { type OutboxEventInput, recordEvents } from '../../src/db/outbox.js';
import { createTestApp, type TestClock } from '../helpers/app.js';
import { bearer, createKeyFor } from '../helpers/keys.js';
import { startReceiver } from '../helpers/receiver.js';

const published: OutboxEventInput = {
  type: 'article.published',
  kind: 'article',
  resourceId: 7,
  slug: 'hip-mobility',
  surrogateKeys: ['articles', 'article-7', 'comments-7'],
};

async function record(db: DatabaseHandles, clock: TestClock, events: OutboxEventInput[]) {
  await db.withTransaction((tx) => recordEvents({ tx, events, at: clock.now.toISOString() }));
}

async function setup(options: { allowPrivate?: boolean; timeoutMs?: number } = {}) {
  const { app, db, clock } = await createTestApp({
    config: { webhookAllowPrivate: options.allowPrivate ?? true },
    dispatch: { timeoutMs: options.timeoutMs ?? 2000 },
  });
  const admin = bearer(await createKeyFor(db, 'admin'));
  return { app, db, clock, admin };
}

async function addWebhook(
  app: Awaited<ReturnType<typeof setup>>['app'],
  admin: { authorization: string },
  body: Record<string, unknown>,
) {
  const res = await app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: admin, payload: body });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; secret: string };
}

function verify(secret: string, signature: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
  if (!match) return false;
  return createHmac('sha256', secret).update(`${match[1]}.${body}`).digest('hex') === match[2];
}

describe('webhook endpoints', () => {
  it('are managed by admins; the secret is shown once; other roles get 403', async () => {
    const { app, db, admin } = await setup();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/admin/webhooks',
      headers: admin,
      payload: { url: 'https://hooks.example.com/quire', events: ['article.published'] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe(`/v1/admin/webhooks/${res.json().id}`);
    expect(res.json()).toMatchObject({
      url: 'https://hooks.example.com/quire',
      events: ['article.published'],
      enabled: true,
      status: 'active',
    });
    expect(res.json().secret).toMatch(/^whsec_/);
    const one = await app.inject({ method: 'GET', url: res.headers.location as string, headers: admin });
    expect(one.statusCode).toBe(200);
    expect(one.json()).not.toHaveProperty('secret');
    const list = await app.inject({ method: 'GET', url: '/v1/admin/webhooks', headers: admin });
    expect(list.json().data).toHaveLength(1);

    const patched = await app.inject({
      method: 'PATCH',
      url: res.headers.location as string,
      headers: admin,
      payload: { enabled: false },
    });
    expect(patched.json()).toMatchObject({
      enabled: false,
      status: 'disabled',
      disabledReason: 'Disabled by an admin',
    });

    const editor = bearer(await createKeyFor(db, 'editor'));
    expect((await app.inject({ method: 'GET', url: '/v1/admin/webhooks', headers: editor })).statusCode).toBe(403);

    expect(
      (await app.inject({ method: 'DELETE', url: res.headers.location as string, headers: admin })).statusCode,
    ).toBe(204);
    expect(
      (await app.inject({ method: 'DELETE', url: res.headers.location as string, headers: admin })).statusCode,
    ).toBe(404);
  });

  it('refuse URLs that are not http or https', async () => {
    const { app, admin } = await setup();
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'not a url']) {
      const res = await app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: admin, payload: { url } });
      expect(res.statusCode).toBe(400);
    }
  });
});

describe('webhook delivery', () => {
  it('POSTs each event once, signed, with its ids, and records the answer', async () => {
    const { app, db, clock, admin } = await setup();
    const receiver = await startReceiver();
    const hook = await addWebhook(app, admin, { url: `${receiver.url}/hook` });
    await record(db, clock, [published, { ...published, type: 'article.updated' }]);
    await app.background.drain();
    await app.background.drain();

    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['article.published', 'article.updated']);
    const [first] = receiver.received;
    expect(first!.method).toBe('POST');
    expect(first!.headers['content-type']).toBe('application/json');
    expect(verify(hook.secret, first!.headers['quire-signature'] as string, first!.body)).toBe(true);
    expect(verify('whsec_wrong', first!.headers['quire-signature'] as string, first!.body)).toBe(false);
    const payload = JSON.parse(first!.body);
    expect(payload).toMatchObject({
      type: 'article.published',
      data: { kind: 'article', id: 7, slug: 'hip-mobility', surrogateKeys: ['articles', 'article-7', 'comments-7'] },
    });
    expect(first!.headers['quire-event']).toBe(String(payload.id));
    expect(first!.headers['quire-delivery']).toMatch(/^\d+$/);

    const deliveries = await app.inject({
      method: 'GET',
      url: `/v1/admin/webhooks/${hook.id}/deliveries`,
      headers: admin,
    });
    expect(deliveries.json().data).toHaveLength(2);
    expect(deliveries.json().data[0]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
      lastResponseBody: 'ok',
    });
  });

  it('sends only the event types asked for, and nothing from before the endpoint existed', async () => {
    const { app, db, clock, admin } = await setup();
    const receiver = await startReceiver();
    await record(db, clock, [published]);
    clock.advance(1000);
    await addWebhook(app, admin, { url: receiver.url, events: ['product.deleted'] });
    clock.advance(1000);
    await record(db, clock, [{ ...published, type: 'article.updated' }]);
    await record(db, clock, [
      { type: 'product.deleted', kind: 'product', resourceId: 3, slug: 'cushion', surrogateKeys: ['product-3'] },
    ]);
    await app.background.drain();
    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['product.deleted']);
  });

  it('retries a failing receiver with growing delays, keeps at most 1 KB of its answer, then succeeds', async () => {
    const { app, db, clock, admin } = await setup();
    const receiver = await startReceiver((_req, res) => {
      res.statusCode = 500;
      res.end('x'.repeat(5000));
    });
    const hook = await addWebhook(app, admin, { url: receiver.url });
    await record(db, clock, [published]);
    await app.background.drain();
    const url = `/v1/admin/webhooks/${hook.id}/deliveries`;
    let [delivery] = (await app.inject({ method: 'GET', url, headers: admin })).json().data;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' });
    expect(delivery.lastResponseBody).toHaveLength(1024);
    const firstDelay = Date.parse(delivery.nextAttemptAt) - clock.now.getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(5000);
    expect(firstDelay).toBeLessThanOrEqual(10_000);
    expect(
      (await app.inject({ method: 'GET', url: `/v1/admin/webhooks/${hook.id}`, headers: admin })).json().status,
    ).toBe('failing');

    await app.background.drain(); // not due yet
    expect(receiver.received).toHaveLength(1);
    clock.advance(firstDelay);
    await app.background.drain();
    [delivery] = (await app.inject({ method: 'GET', url, headers: admin })).json().data;
    expect(delivery.attempts).toBe(2);
    const secondDelay = Date.parse(delivery.nextAttemptAt) - clock.now.getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(10_000);
    expect(secondDelay).toBeLessThanOrEqual(20_000);

    receiver.answer((_req, res) => res.end('thanks'));
    clock.advance(secondDelay);
    await app.background.drain();
    [delivery] = (await app.inject({ method: 'GET', url, headers: admin })).json().data;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200, nextAttemptAt: null });
    expect(
      (await app.inject({ method: 'GET', url: `/v1/admin/webhooks/${hook.id}`, headers: admin })).json(),
    ).toMatchObject({
      status: 'active',
      failingSince: null,
    });
  });

  it('marks a delivery failed after 24 hours of failures and disables the endpoint, saying why', async () => {
    const { app, db, clock, admin } = await setup();
    const receiver = await startReceiver((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const hook = await addWebhook(app, admin, { url: receiver.url });
    await record(db, clock, [published]);
    for (let hour = 0; hour <= 25; hour++) {
      await app.background.drain();
      clock.advance(3_600_000);
    }
    const [delivery] = (
      await app.inject({ method: 'GET', url: `/v1/admin/webhooks/${hook.id}/deliveries`, headers: admin })
    ).json().data;
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toBeGreaterThan(10);
    const endpoint = (await app.inject({ method: 'GET', url: `/v1/admin/webhooks/${hook.id}`, headers: admin })).json();
    expect(endpoint).toMatchObject({ enabled: false, status: 'disabled' });
    expect(endpoint.disabledReason).toMatch(/failed for 24 hours/);
  });

  it('refuses private and loopback receivers unless WEBHOOK_ALLOW_PRIVATE', async () => {
    const { app, db, clock, admin } = await setup({ allowPrivate: false });
    const receiver = await startReceiver();
    const hook = await addWebhook(app, admin, { url: receiver.url });
    await record(db, clock, [published]);
    await app.background.drain();
    expect(receiver.received).toHaveLength(0);
    const [delivery] = (
      await app.inject({ method: 'GET', url: `/v1/admin/webhooks/${hook.id}/deliveries`, headers: admin })
    ).json().data;
    expect(delivery).toMatchObject({ status: 'pending', lastStatusCode: null });
    expect(delivery.lastError).toMatch(/private address/);
  });

  it('does not follow redirects and gives up on a receiver that does not answer in time', async () => {
    const { app, db, clock, admin } = await setup({ timeoutMs: 300 });
    const receiver = await startReceiver((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.statusCode = 302;
      res.setHeader('location', '/elsewhere');
      res.end();
    });
    const moved = await addWebhook(app, admin, { url: `${receiver.url}/moved` });
    const slow = await addWebhook(app, admin, { url: `${receiver.url}/slow` });
    clock.advance(1);
    await record(db, clock, [published]);
    await app.background.drain();
    expect(receiver.received.map((r) => r.url).sort()).toEqual(['/moved', '/slow']);
    const deliveriesOf = async (id: number) =>
      (await app.inject({ method: 'GET', url: `/v1/admin/webhooks/${id}/deliveries`, headers: admin })).json().data;
    expect((await deliveriesOf(moved.id))[0]).toMatchObject({ status: 'pending', lastStatusCode: 302 });
    expect((await deliveriesOf(slow.id))[0].lastError).toMatch(/no answer within 300 ms/);
  });

  it('redelivers an event as a new delivery', async () => {
    const { app, db, clock, admin } = await setup();
    const receiver = await startReceiver();
    const hook = await addWebhook(app, admin, { url: receiver.url });
    await record(db, clock, [published]);
    await app.background.drain();
    const [delivery] = (
      await app.inject({ method: 'GET', url: `/v1/admin/webhooks/${hook.id}/deliveries`, headers: admin })
    ).json().data;
    const res = await app.inject({
      method: 'POST',
      url: `/v1/admin/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`,
      headers: admin,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ eventId: delivery.eventId, status: 'pending', attempts: 0 });
    await app.background.drain();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['quire-event']).toBe(receiver.received[0]!.headers['quire-event']);
    expect(receiver.received[1]!.headers['quire-delivery']).not.toBe(receiver.received[0]!.headers['quire-delivery']);
    const missing = await app.inject({
      method: 'POST',
      url: `/v1/admin/webhooks/${hook.id}/deliveries/999/redeliver`,
      headers: admin,
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('CDN purge', () => {
  it('sends PURGE with exactly the surrogate keys the changes touched to every cache', async () => {
    const cache = await startReceiver();
    const other = await startReceiver();
    const { app, db, clock } = await createTestApp({ config: { purgeUrls: [cache.url, `${other.url}/purge`] } });
    await record(db, clock, [published]); // before the first run: nothing to purge from the past
    await app.background.drain();
    expect(cache.received).toHaveLength(0);
    await record(db, clock, [
      {
        type: 'product.updated',
        kind: 'product',
        resourceId: 2,
        slug: 'shoes',
        surrogateKeys: ['products', 'product-2', 'article-7'],
      },
      { type: 'site.updated', kind: 'site', resourceId: 1, slug: null, surrogateKeys: ['site'] },
    ]);
    await app.background.drain();
    expect(cache.received).toHaveLength(1);
    expect(cache.received[0]).toMatchObject({ method: 'PURGE', url: '/' });
    expect((cache.received[0]!.headers.xkey as string).split(' ').sort()).toEqual([
      'article-7',
      'product-2',
      'products',
      'site',
    ]);
    expect(other.received[0]).toMatchObject({ method: 'PURGE', url: '/purge' });
    await app.background.drain();
    expect(cache.received).toHaveLength(1);
  });

  it('sends a purge again until the cache accepts it', async () => {
    const cache = await startReceiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const { app, db, clock } = await createTestApp({ config: { purgeUrls: [cache.url] } });
    await app.background.drain();
    await record(db, clock, [published]);
    await app.background.drain();
    expect(cache.received).toHaveLength(1);
    cache.answer((_req, res) => res.end());
    await app.background.drain();
    expect(cache.received).toHaveLength(2);
    expect(cache.received[1]!.headers.xkey).toBe('articles article-7 comments-7');
    await app.background.drain();
    expect(cache.received).toHaveLength(2);
  });
});
