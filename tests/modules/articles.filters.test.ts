import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ArticleListSchema } from '../../src/modules/articles/articles.schemas.js';
import { createTestApp, TEST_ENGINE } from '../helpers/app.js';
import { rawRows } from '../helpers/databases.js';
import { createArticle, createProduct } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

type Page = {
  data: { slug: string; title: string; publishedAt: string }[];
  meta: { nextCursor: string | null; total?: number };
};

async function list(app: Awaited<ReturnType<typeof createTestApp>>['app'], query: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/articles?${query}` });
  return { res, body: res.json() as Page };
}

/** Every slug of a list, walking its cursors page by page. */
async function walk(app: Awaited<ReturnType<typeof createTestApp>>['app'], query: string, limit = 2) {
  const slugs: string[] = [];
  let cursor: string | null = null;
  do {
    const { res, body } = await list(app, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(ArticleListSchema.parse(body)).toEqual(body);
    slugs.push(...body.data.map((a) => a.slug));
    cursor = body.meta.nextCursor;
  } while (cursor);
  return slugs;
}

// Five public articles a day apart (a1 oldest), titles out of date order, tags and a product; one draft, one scheduled.
async function world(traceSql?: (sql: string) => void) {
  const ctx = await createTestApp(traceSql ? { traceSql } : {});
  const { db } = ctx;
  const product = await createProduct(db, { slug: 'roller' });
  const day = (d: number) => `2026-05-0${d}T10:00:00.000Z`;
  const specs = [
    { slug: 'a1', title: 'Delta', tags: ['knee'], publishedAt: day(1) },
    { slug: 'a2', title: 'Bravo', tags: ['hip', 'knee'], publishedAt: day(2) },
    { slug: 'a3', title: 'Echo', tags: ['back'], publishedAt: day(3), products: [{ productId: product.id }] },
    { slug: 'a4', title: 'Alpha', tags: ['hip'], publishedAt: day(4) },
    { slug: 'a5', title: 'Charlie', tags: [], publishedAt: day(5), products: [{ productId: product.id }] },
  ];
  for (const spec of specs) await createArticle(db, spec);
  await createArticle(db, { slug: 'draft', title: 'Aaa draft', tags: ['knee'], status: 'draft' });
  await createArticle(db, {
    slug: 'later',
    title: 'Aaa later',
    tags: ['knee'],
    publishedAt: '2027-01-01T00:00:00.000Z',
  });
  return ctx;
}

describe('GET /v1/articles filters and sorts', () => {
  it('sorts newest first, oldest first and by title, walking every page by cursor', async () => {
    const { app } = await world();
    expect(await walk(app, 'sort=-publishedAt')).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
    expect(await walk(app, '')).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
    expect(await walk(app, 'sort=publishedAt')).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(await walk(app, 'sort=title', 1)).toEqual(['a4', 'a2', 'a5', 'a1', 'a3']);
  });

  it('filters by any of several tags, the single tag as before, a product, and a date range', async () => {
    const { app } = await world();
    expect(await walk(app, 'tag=knee')).toEqual(['a2', 'a1']);
    expect(await walk(app, 'tag=knee&tag=back')).toEqual(['a3', 'a2', 'a1']);
    expect(await walk(app, 'tag=knee&tag=hip&sort=title', 1)).toEqual(['a4', 'a2', 'a1']);
    expect(await walk(app, 'product=roller')).toEqual(['a5', 'a3']);
    expect(await walk(app, 'product=unknown')).toEqual([]);
    expect(await walk(app, 'publishedAfter=2026-05-02T10:00:00Z&publishedBefore=2026-05-04T10:00:00%2B00:00')).toEqual([
      'a3',
      'a2',
    ]);
    expect(await walk(app, 'publishedAfter=2026-05-03T12:00:00%2B02:00&tag=hip&sort=publishedAt')).toEqual(['a4']);
  });

  it('counts the matching articles on every page with count=true, and only then', async () => {
    const { app } = await world();
    const first = await list(app, 'tag=knee&tag=hip&count=true&limit=1');
    expect(first.body.meta.total).toBe(3);
    const second = await list(app, `tag=knee&tag=hip&count=true&limit=1&cursor=${first.body.meta.nextCursor}`);
    expect(second.body.meta.total).toBe(3);
    expect((await list(app, 'tag=knee')).body.meta.total).toBeUndefined();
    expect((await list(app, 'count=true')).body.meta.total).toBe(5);
  });

  it('refuses a cursor from another sort or other filters, and bad parameters', async () => {
    const { app } = await world();
    const cursor = (await list(app, 'sort=title&limit=1')).body.meta.nextCursor!;
    expect((await list(app, `sort=title&limit=1&cursor=${cursor}`)).res.statusCode).toBe(200);
    for (const query of [
      `cursor=${cursor}`,
      `sort=publishedAt&cursor=${cursor}`,
      `sort=title&tag=hip&cursor=${cursor}`,
      'sort=newest',
      'publishedAfter=yesterday',
      'publishedBefore=2026-05-01',
      'tag=Not%20A%20Slug',
      'count=yes',
      'q=knee&sort=title',
      'q=knee&tag=hip',
      'q=knee&count=true',
    ]) {
      const res = await app.inject({ method: 'GET', url: `/v1/articles?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('walks a tag or a product in every order: pages of one equal one page, with no repeat and no gap', async () => {
    const { app } = await world();
    const cases: [string, string[]][] = [
      ['tag=knee&tag=hip', ['a4', 'a2', 'a1']],
      ['tag=knee&tag=hip&sort=publishedAt', ['a1', 'a2', 'a4']],
      ['tag=knee&tag=hip&sort=title', ['a4', 'a2', 'a1']],
      ['tag=hip&sort=title', ['a4', 'a2']],
      ['tag=knee&sort=publishedAt', ['a1', 'a2']],
      ['product=roller&sort=title', ['a5', 'a3']],
      ['product=roller&sort=publishedAt', ['a3', 'a5']],
      ['product=roller&tag=back', ['a3']],
      ['tag=knee&tag=hip&publishedBefore=2026-05-04T10:00:00Z&sort=title', ['a2', 'a1']],
    ];
    for (const [query, slugs] of cases) {
      expect(await walk(app, query, 1), query).toEqual(slugs);
      expect(await walk(app, query, 50), query).toEqual(slugs);
      expect((await list(app, `${query}&count=true`)).body.meta.total, query).toBe(slugs.length);
    }
  });

  it('follows a retitle, an unpublish, a schedule, a tag change and a delete at once, in tag and product lists', async () => {
    const { app, db, clock } = await world();
    const headers = bearer(await createKeyFor(db, 'editor'));
    const id = async (slug: string) =>
      (await app.inject({ method: 'GET', url: `/v1/admin/articles?limit=100`, headers }))
        .json()
        .data.find((a: { slug: string }) => a.slug === slug).id as number;
    const write = async (method: 'PATCH' | 'POST' | 'DELETE', url: string, payload?: object) => {
      const res = await app.inject({ method, url, headers, ...(payload && { payload }) });
      expect(res.statusCode, res.body).toBeLessThan(300);
    };
    const a1 = await id('a1');
    await write('PATCH', `/v1/admin/articles/${a1}`, { title: 'Aardvark' });
    expect(await walk(app, 'tag=knee&tag=hip&sort=title')).toEqual(['a1', 'a4', 'a2']);
    await write('POST', `/v1/admin/articles/${await id('a4')}/unpublish`, {});
    expect(await walk(app, 'tag=hip&sort=title')).toEqual(['a2']);
    expect(await walk(app, 'tag=hip')).toEqual(['a2']);
    const a3 = await id('a3');
    await write('POST', `/v1/admin/articles/${a3}/unpublish`, {});
    const inAnHour = new Date(clock.now.getTime() + 3_600_000).toISOString();
    await write('POST', `/v1/admin/articles/${a3}/publish`, { publishedAt: inAnHour });
    expect(await walk(app, 'product=roller')).toEqual(['a5']);
    expect((await list(app, 'product=roller&count=true')).body.meta.total).toBe(1);
    clock.advance(3_600_000);
    expect(await walk(app, 'product=roller')).toEqual(['a3', 'a5']);
    expect((await list(app, 'product=roller&count=true')).body.meta.total).toBe(2);
    expect(await walk(app, 'product=roller&sort=publishedAt')).toEqual(['a5', 'a3']);
    await write('PATCH', `/v1/admin/articles/${await id('a5')}`, { tags: ['knee'] });
    expect(await walk(app, 'tag=knee&sort=title')).toEqual(['a1', 'a2', 'a5']);
    const a2 = await id('a2');
    await write('DELETE', `/v1/admin/articles/${a2}`);
    expect(await walk(app, 'tag=knee&tag=hip&sort=title')).toEqual(['a1', 'a5']);
    expect((await list(app, 'tag=knee&tag=hip&count=true')).body.meta.total).toBe(2);
    expect(await walk(app, 'tag=knee&tag=hip&sort=publishedAt')).toEqual(['a1', 'a5']);
  });
});

// PostgreSQL plans by statistics, which a handful of test rows do not give; SQLite's plans are fixed by the statements.
describe.skipIf(TEST_ENGINE !== 'sqlite')('list plans (SQLite)', () => {
  /** Lists on a traced world: each answer with the plan of the statement it ran that holds `marker`. */
  async function planned() {
    const statements: string[] = [];
    const { app, db } = await world((statement) => statements.push(statement));
    return async (query: string, marker: string) => {
      statements.length = 0;
      const { body } = await list(app, query);
      const statement = statements.find((s) => s.includes(marker));
      const plan = (await rawRows<{ detail: string }>(db, sql.raw(`explain query plan ${statement}`))).map(
        (r) => r.detail,
      );
      return { body, plan, where: `${query}:\n${plan.join('\n')}` };
    };
  }

  it('walks one index from the cursor in every list shape, reading no link row and sorting no page', async () => {
    const planOf = await planned();
    const cases: [string, string][] = [
      ['', 'SEARCH articles USING INDEX articles_public_list_idx'],
      ['sort=title', 'SEARCH articles USING INDEX articles_title_idx'],
      ['tag=knee', 'SEARCH article_tags USING COVERING INDEX article_tags_date_idx'],
      ['tag=knee&sort=title', 'SEARCH article_tags USING COVERING INDEX article_tags_title_idx'],
      ['tag=knee&sort=publishedAt', 'SEARCH article_tags USING COVERING INDEX article_tags_date_idx'],
      ['product=roller&sort=title', 'SEARCH article_products USING COVERING INDEX article_products_title_idx'],
      ['product=roller', 'SEARCH article_products USING COVERING INDEX article_products_date_idx'],
    ];
    for (const [query, walk] of cases) {
      // The first page, then the next one by cursor (a new URL each: nothing answers from the response cache).
      const first = await planOf(`${query}&limit=1`, `'commentCount'`);
      const paged = await planOf(`${query}&limit=1&cursor=${first.body.meta.nextCursor}`, `'commentCount'`);
      for (const { plan, where } of [first, paged]) {
        expect(
          plan.some((line) => line.startsWith(walk)),
          where,
        ).toBe(true);
        expect(
          plan.some((line) => line.includes('TEMP B-TREE')),
          where,
        ).toBe(false);
        // A filtered page reads each article once, by its id.
        if (query.includes('tag') || query.includes('product'))
          expect(plan, where).toContain('SEARCH articles USING INTEGER PRIMARY KEY (rowid=?)');
      }
    }
  });

  it('counts (count=true) in one index range per tag, product or list, reading no article row', async () => {
    const planOf = await planned();
    const cases: [string, string][] = [
      ['', 'SEARCH articles USING COVERING INDEX articles_public_list_idx'],
      ['tag=knee', 'SEARCH article_tags USING COVERING INDEX article_tags_date_idx'],
      [
        'tag=knee&tag=hip&publishedAfter=2026-05-02T00:00:00Z',
        'SEARCH article_tags USING COVERING INDEX article_tags_date_idx',
      ],
      ['product=roller&tag=back', 'SEARCH article_products USING COVERING INDEX article_products_date_idx'],
    ];
    for (const [query, range] of cases) {
      const { plan, where } = await planOf(`${query}&count=true`, 'count(');
      expect(
        plan.some((line) => line.startsWith(range)),
        where,
      ).toBe(true);
      expect(
        plan.some((line) => /^SEARCH articles USING (INTEGER PRIMARY KEY|INDEX)/.test(line)),
        where,
      ).toBe(false);
    }
  });
});
