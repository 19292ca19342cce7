import { describe, expect, it } from 'vitest';
import { seedSampleContent } from '../../seeds/load.js';
import { ArticleListSchema } from '../../src/modules/articles/articles.schemas.js';
import { createTestApp, TEST_ENGINE } from '../helpers/app.js';
import { publishViaApi } from '../helpers/editorial.js';
import { createArticle } from '../helpers/factories.js';
import { exportToString, importString } from '../helpers/transfer.js';

async function sampleApp() {
  const ctx = await createTestApp();
  await seedSampleContent({ withTransaction: ctx.db.withTransaction, now: ctx.clock.now });
  return ctx;
}

type Hit = { slug: string; title: string; snippet: string };
const search = async (app: Awaited<ReturnType<typeof createTestApp>>['app'], q: string, extra = '') => {
  const res = await app.inject({ method: 'GET', url: `/v1/articles?q=${encodeURIComponent(q)}${extra}` });
  return { res, body: res.json() as { data: Hit[]; meta: { nextCursor: string | null } } };
};

type TestDb = Awaited<ReturnType<typeof createTestApp>>['db'];

// Same shapes everywhere, so only where "kettlebell" stands (title > heading > body, or nowhere) sets the rank.
async function make(
  db: TestDb,
  where: 'title' | 'heading' | 'body' | 'none',
  status: 'draft' | 'published' = 'published',
) {
  const article = await createArticle(db, {
    status,
    title: where === 'title' ? 'Kettlebell guide' : 'Strength guide',
    sections: [
      {
        heading: where === 'heading' ? 'Kettlebell swings' : 'Warm up',
        tips: [{ title: 'Grip', body: where === 'body' ? 'Kettlebell work helps.' : 'Hold it firmly.' }],
      },
    ],
  });
  return article.slug;
}

/** Every hit for "kettlebell", page after page of `limit`. */
async function all(app: Awaited<ReturnType<typeof createTestApp>>['app'], limit: number) {
  const seen: string[] = [];
  let cursor = '';
  for (let page = 0; page < 10; page += 1) {
    const { body } = await search(app, 'kettlebell', `&limit=${limit}${cursor && `&cursor=${cursor}`}`);
    seen.push(...body.data.map((hit) => hit.slug));
    if (!body.meta.nextCursor) return seen;
    cursor = body.meta.nextCursor;
  }
  throw new Error('the search never ends');
}

describe('GET /v1/articles?q=', () => {
  it('finds the sample article by stem and by phrase words, with a marked passage in the documented shape', async () => {
    const { app } = await sampleApp();
    for (const q of ['stretch', 'piriformis', 'Piriformis syndrome']) {
      const { res, body } = await search(app, q);
      expect(res.statusCode, q).toBe(200);
      expect(ArticleListSchema.parse(body)).toEqual(body);
      expect(body.data.map((a) => a.slug)).toContain('sciatica-in-runners');
    }
    const { body } = await search(app, 'stretch');
    const hit = body.data.find((a) => a.slug === 'sciatica-in-runners')!;
    expect(hit.snippet).toMatch(/<mark>stretch(es|ing)?<\/mark>/i);
    const piri = (await search(app, 'piriformis')).body.data.find((a) => a.slug === 'sciatica-in-runners')!;
    expect(piri.snippet).toMatch(/<mark>Piriformis<\/mark>/);
  });

  it('ranks a title match above a body match and pages through hits by cursor without repeats', async () => {
    const { app, db } = await createTestApp();
    const body = await createArticle(db, {
      title: 'Running shoes',
      sections: [{ heading: 'Fit', tips: [{ title: 'Lacing', body: 'Kettlebell work helps runners.' }] }],
    });
    const title = await createArticle(db, {
      title: 'Kettlebell basics',
      sections: [{ heading: 'Start', tips: [{ title: 'Grip', body: 'Hold it firmly.' }] }],
    });
    const heading = await createArticle(db, {
      title: 'Strength at home',
      sections: [{ heading: 'Kettlebell swings', tips: [{ title: 'Hinge', body: 'Drive with the hips.' }] }],
    });
    // The same order on both engines: title, then heading, then body.
    const hits = (await search(app, 'kettlebell')).body.data;
    expect(hits.map((a) => a.slug)).toEqual([title.slug, heading.slug, body.slug]);
    // Each passage is its own article's (they are made apart from the page's documents).
    expect(hits.map((a) => a.snippet.replace(/<\/?mark>/g, ''))).toEqual([
      expect.stringContaining('Kettlebell basics'),
      expect.stringContaining('Kettlebell swings'),
      expect.stringContaining('Kettlebell work helps runners'),
    ]);
    const first = await search(app, 'kettlebells', '&limit=1');
    expect(first.body.data.map((a) => a.slug)).toEqual([title.slug]);
    expect(first.body.data[0]!.snippet).toContain('<mark>Kettlebell</mark>');
    const cursor = first.body.meta.nextCursor!;
    const second = await search(app, 'kettlebells', `&limit=1&cursor=${cursor}`);
    expect(second.body.data.map((a) => a.slug)).toEqual([heading.slug]);
    const third = await search(app, 'kettlebells', `&limit=1&cursor=${second.body.meta.nextCursor}`);
    expect(third.body.data.map((a) => a.slug)).toEqual([body.slug]);
    expect(third.body.meta.nextCursor).toBeNull();
    // A cursor from another search, or from the plain list, is refused rather than skipping rows.
    expect((await search(app, 'running', `&cursor=${cursor}`)).res.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/v1/articles?cursor=${cursor}` })).statusCode).toBe(400);
  });

  it('escapes editor text in the passage and marks only the matched words', async () => {
    const { app, db } = await createTestApp();
    await createArticle(db, {
      title: '<script>alert("x")</script> Foam & rollers',
      sections: [{ heading: 'A', tips: [{ title: 'B', body: 'Use a <b>foam</b> roller.' }] }],
    });
    const snippet = (await search(app, 'foam')).body.data[0]!.snippet;
    // SQLite passes the text through, escaped; PostgreSQL's headline parser drops markup tags. Never raw.
    expect(snippet).not.toMatch(/<(?!\/?mark>)/);
    expect(snippet).not.toMatch(/"|&(?!amp;|lt;|gt;|quot;|#39;)/);
    expect(snippet).toMatch(/<mark>Foam<\/mark> &amp; rollers/);
    if (TEST_ENGINE === 'sqlite') expect(snippet).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('marks a match deep in a long article in a passage of whole words, where its stem first stands inside another word or is spelled otherwise', async () => {
    const { app, db } = await createTestApp();
    // Long words: the passage reaches back further than the text PostgreSQL's ts_headline first gets,
    // which starts inside a word for at least one of three shifts.
    const filler = (shift: string) =>
      `${shift}${'Notwithstandingly multidisciplinary physiotherapeutics. '.repeat(40)}`;
    const texts = {
      ache: ['', 'an ', 'a long '].map((shift) => `${filler(shift)}Afterwards came the ache`),
      // "Spain" holds the stem of "pain" long before the word itself, which ends the text.
      pain: [`Last spring in Spain the race went well. ${filler('')}Afterwards came the pain`],
      // English stemming spells "injury" as "injuri", which the word does not contain.
      injury: [`${filler('')}A hamstring injury ends it`],
    };
    for (const [q, bodies] of Object.entries(texts)) {
      for (const body of bodies)
        await createArticle(db, {
          title: 'Race notes',
          sections: [{ heading: 'Diary', tips: [{ title: 'Entry', body }] }],
        });
      // The factory's summary is "Summary <n>".
      const words = new Set(`Race notes Summary Diary Entry ${bodies.join(' ')}`.match(/[\p{L}\p{N}]+/gu));
      const hits = (await search(app, q)).body.data;
      expect(hits).toHaveLength(bodies.length);
      for (const { snippet } of hits) {
        expect(snippet, q).toMatch(new RegExp(`<mark>${q}</mark>`, 'i'));
        expect(snippet, q).not.toContain('<mark>Spain</mark>');
        for (const word of snippet.replace(/<\/?mark>/g, '').match(/[\p{L}\p{N}]+/gu) ?? [])
          expect(words.has(word) || /^\d+$/.test(word), `${q}: "${word}" in ${snippet}`).toBe(true);
      }
    }
  });

  it('never finds drafts or scheduled articles, finds them once published, and reflects edits at once', async () => {
    const { app, db } = await createTestApp();
    await createArticle(db, { status: 'draft', title: 'Secret zucchini' });
    await createArticle(db, { publishedAt: '2027-01-01T00:00:00.000Z', title: 'Future zucchini' });
    expect((await search(app, 'zucchini')).body.data).toEqual([]);
    const { id, editor } = await publishViaApi(app, db, {
      title: 'Quinoa bowls',
      sections: [{ heading: 'Why', tips: [{ title: 'Protein', body: 'Quinoa has all amino acids.' }] }],
    });
    expect((await search(app, 'quinoa')).body.data.map((a) => a.title)).toEqual(['Quinoa bowls']);
    const current = await app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers: editor });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${id}`,
      headers: { ...editor, 'if-match': current.headers.etag as string },
      payload: { title: 'Millet bowls' },
    });
    expect(patched.statusCode).toBe(200);
    expect((await search(app, 'millet')).body.data.map((a) => a.title)).toEqual(['Millet bowls']);
    const section = (patched.json() as { sections: { id: number }[] }).sections[0]!.id;
    const tip = await app.inject({
      method: 'POST',
      url: `/v1/admin/sections/${section}/tips`,
      headers: { ...editor, 'if-match': patched.headers.etag as string },
      payload: { title: 'Buckwheat too', body: 'Gluten free.' },
    });
    expect(tip.statusCode).toBe(201);
    expect((await search(app, 'buckwheat')).body.data.map((a) => a.title)).toEqual(['Millet bowls']);
    const tipId = (tip.json() as { sections: { tips: { id: number; title: string }[] }[] }).sections[0]!.tips.find(
      (t) => t.title === 'Buckwheat too',
    )!.id;
    const removed = await app.inject({
      method: 'DELETE',
      url: `/v1/admin/tips/${tipId}`,
      headers: { ...editor, 'if-match': tip.headers.etag as string },
    });
    expect(removed.statusCode).toBe(200);
    expect((await search(app, 'buckwheat')).body.data).toEqual([]);
    const unpublished = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${id}/unpublish`,
      headers: { ...editor, 'if-match': removed.headers.etag as string },
    });
    expect(unpublished.statusCode).toBe(200);
    expect((await search(app, 'millet')).body.data).toEqual([]);
  });

  it('ranks a word matching more than SEARCH_RANK_WINDOW articles window by window, newest first, pages without repeats or gaps', async () => {
    const build = async (rankWindow?: number) => {
      const ctx = await createTestApp(rankWindow ? { config: { searchRankWindow: rankWindow } } : {});
      // Oldest first: a1 … a8 (a4 a draft whose title matches: it counts in its window, never shows).
      const slugs = [];
      for (const [where, status] of [
        ['body'],
        ['title'],
        ['heading'],
        ['title', 'draft'],
        ['body'],
        ['title'],
        ['body'],
        ['heading'],
      ] as const)
        slugs.push(await make(ctx.db, where, status));
      return { app: ctx.app, a: slugs };
    };
    const windowed = await build(3);
    const [a1, a2, a3, a4, a5, a6, a7, a8] = windowed.a;
    // Windows of 3 matches by id: {a8, a7, a6}, {a5, a4, a3}, {a2, a1}; each ranked title, heading, body.
    const expected = [a6, a8, a7, a3, a5, a2, a1];
    expect(await all(windowed.app, 20)).toEqual(expected);
    // Pages of 2 cross the windows' edges and carry on from the cursor: the same hits, once each.
    expect(await all(windowed.app, 2)).toEqual(expected);
    expect(expected).not.toContain(a4);
    // Within the default window all seven are ranked together: both title matches come first.
    const whole = await build();
    const ranked = await all(whole.app, 20);
    expect(new Set(ranked.slice(0, 2))).toEqual(new Set([whole.a[1], whole.a[5]]));
    expect(new Set(ranked)).toEqual(new Set(expected.map((slug) => whole.a[windowed.a.indexOf(slug!)])));
  });

  it('windows sparser matches by their share among the newest documents on PostgreSQL, found exactly on SQLite, pages without repeats or gaps', async () => {
    // Oldest first: n1 … n12, ids in that order.
    const layout = [
      'body',
      'none',
      'heading',
      'body',
      'title',
      'none',
      'body',
      'heading',
      'title',
      'none',
      'none',
      'body',
    ] as const;
    const walk = async (newer: 'none'[]) => {
      const { app, db } = await createTestApp({ config: { searchRankWindow: 3 } });
      const n: string[] = [];
      for (const where of [...layout, ...newer]) n.push(await make(db, where));
      const pages = [];
      for (const limit of [20, 2, 1]) pages.push(await all(app, limit));
      // Pages of any size cross the windows' edges and carry on from the cursor: the same hits, once each.
      expect(pages[1]).toEqual(pages[0]);
      expect(pages[2]).toEqual(pages[0]);
      return pages[0]!.map((slug) => n.indexOf(slug) + 1);
    };
    // SQLite: windows of exactly 3 matches, {12, 9, 8}, {7, 5, 4}, {3, 1}, each ranked title, heading, body.
    const exact = [9, 8, 12, 5, 4, 7, 3, 1];
    // PostgreSQL: n12, n11, n10 hold 1 match, 1 in 3 ids: sized for 3 matches, the window would span 9 ids,
    // and spans twice the sample's 3, n7 … n12. Below, n6, n5, n4 hold 2: it spans 5 ids (n2 … n6); n1 ends it.
    expect(await walk([])).toEqual(TEST_ENGINE === 'sqlite' ? exact : [9, 8, 7, 12, 5, 3, 4, 1]);
    // With three newer articles holding no match, PostgreSQL's index finds the 3rd newest match (n8); below,
    // n7, n6, n5 hold 2 matches in 3 ids: the window spans 5 ids (n3 … n7); n2 and n1 end it.
    expect(await walk(['none', 'none', 'none'])).toEqual(TEST_ENGINE === 'sqlite' ? exact : [9, 8, 12, 5, 3, 4, 7, 1]);
  });

  it('is rebuilt by an import: the imported articles are found', async () => {
    const source = await sampleApp();
    const text = await exportToString(source.db);
    const target = await createTestApp();
    await importString(target.db, text);
    expect((await search(target.app, 'piriformis')).body.data.map((a) => a.slug)).toEqual(['sciatica-in-runners']);
  });

  it('refuses a search without letters or digits, and a search with filters', async () => {
    const { app } = await createTestApp();
    for (const url of ['/v1/articles?q=', '/v1/articles?q=%20%21%3F', '/v1/articles?q=x&tag=a']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 304 to a revalidation of a search page', async () => {
    const { app } = await sampleApp();
    const first = await search(app, 'runners');
    expect(first.res.headers.etag).toBeDefined();
    const again = await app.inject({
      method: 'GET',
      url: '/v1/articles?q=runners',
      headers: { 'if-none-match': first.res.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });
});
