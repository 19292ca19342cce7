import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { seedSampleContent } from '../../seeds/load.js';
import { openDatabase } from '../../src/db/client.js';
import { createKey, revokeApiKey } from '../../src/modules/keys/keys.service.js';
import { createClock, createTestApp, type TestClock } from '../helpers/app.js';
import { openPostgresTestDatabase } from '../helpers/databases.js';
import { bearer } from '../helpers/keys.js';
import { exportToString, importString } from '../helpers/transfer.js';

/** The sample content plus what it lacks: a draft, a scheduled article, a redirect, a priced product, comments in every status. */
async function fillThroughTheApi(app: FastifyInstance, admin: { authorization: string }, clock: TestClock) {
  const call = async (
    method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    from = '10.0.0.1',
  ) => {
    const res = await app.inject({ method, url, payload, headers: admin, remoteAddress: from });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.statusCode === 204 ? undefined : res.json();
  };
  const article = (title: string, tags: string[]) => ({
    title,
    summary: `About ${title}.`,
    tags,
    image: { url: `/images/${title.length}.jpg`, alt: title },
    seo: { title: `${title} | Shop`, description: 'Seo "quoted" text' },
    sections: [
      { heading: 'First', lead: 'Lead *with* Markdown', tips: [{ title: 'One', body: 'Body — ünïcode 🏃' }] },
      {
        heading: 'Second',
        tips: [
          { title: 'Two', body: 'Line\nbreak' },
          { title: 'Three', body: 'Tab\there' },
        ],
      },
    ],
  });
  const draft = await call('POST', '/v1/admin/articles', article('Hip Mobility for Runners', ['Running', 'Mobility']));
  const scheduled = await call('POST', '/v1/admin/articles', article('Cadence Drills', ['Running']));
  await call('POST', `/v1/admin/articles/${scheduled.id}/publish`, { publishedAt: '2026-06-20T08:00:00.000Z' });
  const moved = await call('POST', '/v1/admin/articles', article('Old Name', ['Mobility']));
  await call('POST', `/v1/admin/articles/${moved.id}/publish`);
  await call('PATCH', `/v1/admin/articles/${moved.id}`, { slug: 'new-name', title: 'New Name' });
  const roller = await call('POST', '/v1/admin/products', {
    name: 'Foam Roller',
    price: { amount: 2999, currency: 'EUR' },
    badges: ['Bestseller'],
    suitableFor: ['calves', 'quads'],
    inStock: false,
  });
  await call('PUT', `/v1/admin/articles/${moved.id}/products`, {
    products: [
      { productId: roller.id, placement: 'inline', afterSection: 1, headline: 'Roll it out', pitch: 'Ten minutes.' },
      { productId: 1, placement: 'sidebar' },
    ],
  });
  await call('PATCH', '/v1/admin/site', { url: 'https://shop.example', announcement: 'Free shipping this week' });

  const submit = async (n: number, extra: object = {}) =>
    (
      await call(
        'POST',
        '/v1/articles/sciatica-in-runners/comments',
        { authorName: `Reader ${n}`, authorEmail: `r${n}@example.org`, body: `Comment number ${n}`, ...extra },
        `10.0.1.${n}`,
      )
    ).id as number;
  const approved = await submit(1);
  const rejected = await submit(2);
  const spam = await submit(3);
  const deleted = await submit(4);
  await submit(5); // stays pending
  // Two signals at once (honeypot, too fast): stored in a JSON column, whose key order jsonb does not keep.
  await submit(6, { website: 'http://spam.example', renderedAt: clock.now.toISOString() });
  clock.advance(60_000);
  await call('PATCH', `/v1/admin/comments/${approved}`, { status: 'approved', note: 'On topic' });
  await call('PATCH', `/v1/admin/comments/${rejected}`, { status: 'rejected', note: 'Off topic' });
  await call('PATCH', `/v1/admin/comments/${spam}`, { status: 'spam' });
  await call('DELETE', `/v1/admin/comments/${deleted}`);
  const reply = await submit(7, { parentId: approved });
  await call('PATCH', `/v1/admin/comments/${reply}`, { status: 'approved' });
  return { draft: draft.id as number, lastComment: reply };
}

const PUBLIC_URLS = [
  '/v1/site',
  '/v1/articles',
  '/v1/articles?limit=1',
  '/v1/articles?tag=mobility',
  '/v1/articles?format=html',
  '/v1/articles/sciatica-in-runners',
  '/v1/articles/sciatica-in-runners?format=html',
  '/v1/articles/sciatica-in-runners/comments',
  '/v1/articles/new-name',
  '/v1/articles/old-name',
  '/v1/articles/hip-mobility-for-runners',
  '/v1/articles/cadence-drills',
  '/v1/products',
  '/v1/products/memory-foam-seat-cushions',
  '/v1/products/foam-roller',
  '/v1/feeds/rss.xml',
  '/v1/feeds/atom.xml',
  '/v1/feeds/feed.json',
  '/sitemap.xml',
];

const adminUrls = (commentIds: number[]) => [
  '/v1/admin/articles',
  '/v1/admin/articles?status=draft',
  '/v1/admin/articles?status=scheduled',
  ...[1, 2, 3, 4].map((id) => `/v1/admin/articles/${id}`),
  '/v1/admin/comments',
  ...['pending', 'approved', 'rejected', 'spam'].map((status) => `/v1/admin/comments?status=${status}`),
  ...commentIds.map((id) => `/v1/admin/comments/${id}`),
  '/v1/admin/products',
  '/v1/admin/site',
  '/v1/admin/keys',
];

const HEADERS = ['content-type', 'etag', 'location', 'cache-control', 'surrogate-key'];

async function responses(app: FastifyInstance, urls: string[], headers: Record<string, string> = {}) {
  const out: Record<string, unknown> = {};
  for (const url of urls) {
    const res = await app.inject({ method: 'GET', url, headers });
    out[url] = {
      status: res.statusCode,
      headers: Object.fromEntries(HEADERS.map((name) => [name, res.headers[name]])),
      body: res.body,
    };
  }
  return out;
}

// Runs once (in the sqlite project): it opens one database of each engine itself.
describe('moving from SQLite to PostgreSQL with export and import', () => {
  it('gives the same export back, byte for byte, and the same answer to every request', async () => {
    const clock = createClock('2026-06-01T12:00:00.000Z');
    const sqlite = await openDatabase({ url: ':memory:' });
    await sqlite.migrate();
    await seedSampleContent({ withTransaction: sqlite.withTransaction, now: clock.now });
    const { key } = await createKey({ db: sqlite, name: 'Ops', role: 'admin', now: clock.now });
    const former = await createKey({ db: sqlite, name: 'Former editor', role: 'editor', now: clock.now });
    await revokeApiKey({ db: sqlite, id: former.row.id, now: clock.now });
    const admin = bearer(key);
    const { app: before } = await createTestApp({ db: sqlite, clock });
    const { lastComment } = await fillThroughTheApi(before, admin, clock);

    const file = await exportToString(sqlite);
    const postgres = await openPostgresTestDatabase();
    const summary = await importString(postgres, file);
    expect(summary.rows).toBe(file.trimEnd().split('\n').length - 1);
    expect(await exportToString(postgres)).toBe(file);

    const { app: after } = await createTestApp({ db: postgres, clock });
    const commentIds = Array.from({ length: lastComment }, (_, i) => i + 1);
    const urls = [...PUBLIC_URLS, ...adminUrls(commentIds)];
    const onSqlite = await responses(before, urls, admin);
    // Nothing in the list is an error, and the extra rows are there to compare.
    for (const url of urls) expect((onSqlite[url] as { status: number }).status, url).toBeLessThan(500);
    expect((onSqlite['/v1/articles/old-name'] as { status: number }).status).toBe(301);
    expect((onSqlite['/v1/articles/hip-mobility-for-runners'] as { status: number }).status).toBe(404);
    expect(await responses(after, urls, admin)).toEqual(onSqlite);
    // Public answers (public ETags included) are the same without a key too.
    expect(await responses(after, PUBLIC_URLS)).toEqual(await responses(before, PUBLIC_URLS));

    // The id sequences moved past the imported ids: the next article gets the same id on both.
    const create = { title: 'After the move', sections: [] };
    const created = await Promise.all(
      [before, after].map((app) =>
        app.inject({ method: 'POST', url: '/v1/admin/articles', headers: admin, payload: create }),
      ),
    );
    expect(created.map((res) => res.statusCode)).toEqual([201, 201]);
    expect(created[1]!.json().id).toBe(created[0]!.json().id);
  }, 180_000);
});
