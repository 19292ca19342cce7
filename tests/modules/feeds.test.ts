import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { createClock, createTestApp } from '../helpers/app.js';
import { createArticle, createProduct, createSite } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
const SITE = { siteUrl: 'https://shop.example', publicUrl: 'https://api.example' } satisfies Partial<Config>;

/** 23 published articles an hour apart (the newest last), a draft and one due tomorrow. */
async function setup(config: Partial<Config> = SITE) {
  const clock = createClock('2026-06-10T12:00:00.000Z');
  const { app, db } = await createTestApp({ config, clock });
  await createSite(db);
  const published = [];
  for (let i = 0; i < 23; i++) {
    const at = new Date(Date.UTC(2026, 5, 1, i));
    published.push(
      await createArticle(
        db,
        {
          slug: `post-${i}`,
          title: `Post ${i} & more`,
          tags: i % 2 === 0 ? ['even'] : ['odd'],
          sections: [
            { heading: 'Why', lead: 'A **lead**', tips: [{ title: 'Tip', body: 'Stretch <script>x</script>' }] },
          ],
        },
        at,
      ),
    );
  }
  await createArticle(db, { slug: 'draft', status: 'draft' });
  await createArticle(db, { slug: 'tomorrow', publishedAt: '2026-06-11T12:00:00.000Z' });
  await createProduct(db, { slug: 'cushion' });
  return { app, db, published };
}

describe('GET /v1/feeds/rss.xml', () => {
  it('is RSS 2.0 with the newest 20 published articles: links, dates, summary and sanitised HTML content', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(res.headers.etag).toBeDefined();
    expect(res.headers['cache-control']).toContain('s-maxage');
    const rss = parser.parse(res.body).rss;
    expect(rss['@version']).toBe('2.0');
    expect(rss.channel.title).toBe('Test site');
    expect(rss.channel.link).toBe('https://shop.example/');
    const items = rss.channel.item as Record<string, string>[];
    expect(items).toHaveLength(20);
    expect(items[0]!.title).toBe('Post 22 & more');
    expect(items[0]!.link).toBe('https://shop.example/articles/post-22');
    expect(new Date(items[0]!.pubDate!).toISOString()).toBe('2026-06-01T22:00:00.000Z');
    expect(items.at(-1)!.link).toBe('https://shop.example/articles/post-3');
    expect(items.map((i) => i.link)).not.toContain('https://shop.example/articles/draft');
    expect(items.map((i) => i.link)).not.toContain('https://shop.example/articles/tomorrow');
    const content = items[0]!['content:encoded']!;
    expect(content).toContain('<h2>Why</h2>');
    expect(content).toContain('<strong>lead</strong>');
    expect(content).not.toContain('<script');
    expect(items[0]!.description).toContain('Summary');
  });

  it('filters by ?tag=, and answers 404 for an unknown tag', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml?tag=odd' });
    const items = parser.parse(res.body).rss.channel.item as { link: string }[];
    expect(items).toHaveLength(11);
    expect(items.every((i) => /post-\d*[13579]$/.test(i.link))).toBe(true);
    expect(parser.parse(res.body).rss.channel.title).toBe('Test site: ODD');
    const missing = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml?tag=nope' });
    expect(missing.statusCode).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml?tag=Bad_Slug' });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 304 to its ETag, and a new item shows at once', async () => {
    const { app, db } = await setup();
    const first = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml' });
    const etag = first.headers.etag as string;
    const again = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    // Cached bytes keep their content type.
    const cached = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml' });
    expect(cached.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(cached.body).toBe(first.body);
    await createArticle(db, { slug: 'fresh', title: 'Fresh' }, new Date('2026-06-05T00:00:00.000Z'));
    const after = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml', headers: { 'if-none-match': etag } });
    expect(after.statusCode).toBe(200);
    expect(parser.parse(after.body).rss.channel.item[0].link).toBe('https://shop.example/articles/fresh');
  });

  it('with the response cache off, renders the same bytes again and follows an edit at once', async () => {
    const { app, db, published } = await setup({ ...SITE, responseCacheBytes: 0 });
    const editor = bearer(await createKeyFor(db, 'editor'));
    const first = await app.inject({ method: 'GET', url: '/v1/feeds/atom.xml' });
    const second = await app.inject({ method: 'GET', url: '/v1/feeds/atom.xml' });
    expect(second.body).toBe(first.body);
    const patched = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${published[22]!.id}`,
      headers: editor,
      payload: { intro: 'A *new* intro' },
    });
    expect(patched.statusCode).toBe(200);
    const after = await app.inject({ method: 'GET', url: '/v1/feeds/atom.xml' });
    expect(after.body).toContain('<p>A <em>new</em> intro</p>');
    const entry = [parser.parse(after.body).feed.entry].flat()[0] as { updated: string; published: string };
    expect(entry.updated).toBe('2026-06-10T12:00:00.000Z');
    expect(entry.published).toBe('2026-06-01T22:00:00.000Z');
    // RSS has only pubDate: the publication, not the edit.
    const rss = parser.parse((await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml' })).body).rss;
    expect(new Date(rss.channel.item[0].pubDate).toISOString()).toBe('2026-06-01T22:00:00.000Z');
  });

  it("needs the website's address: 404 with neither SITE_URL nor the site's url", async () => {
    const { app } = await setup({});
    const res = await app.inject({ method: 'GET', url: '/v1/feeds/rss.xml' });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toContain('SITE_URL');
  });
});

describe('GET /v1/feeds/atom.xml', () => {
  it('is Atom 1.0 with entries, ids, links, dates and HTML content', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'GET', url: '/v1/feeds/atom.xml' });
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const feed = parser.parse(res.body).feed;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.updated).toBe('2026-06-01T22:00:00.000Z');
    const links = [feed.link].flat() as Record<string, string>[];
    expect(links.find((l) => l['@rel'] === 'self')?.['@href']).toBe('https://api.example/v1/feeds/atom.xml');
    const entries = feed.entry as Record<string, unknown>[];
    expect(entries).toHaveLength(20);
    const first = entries[0] as {
      id: string;
      link: { '@href': string };
      published: string;
      content: { '#text': string };
    };
    expect(first.id).toBe('https://shop.example/articles/post-22');
    expect(first.link['@href']).toBe('https://shop.example/articles/post-22');
    expect(first.published).toBe('2026-06-01T22:00:00.000Z');
    expect(first.content['#text']).toContain('<h3>Tip</h3>');
  });
});

describe('GET /v1/feeds/feed.json', () => {
  it('is JSON Feed 1.1 with its required fields', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'GET', url: '/v1/feeds/feed.json?tag=even' });
    expect(res.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const feed = res.json();
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBe('Test site: EVEN');
    expect(feed.home_page_url).toBe('https://shop.example/tags/even');
    expect(feed.feed_url).toBe('https://api.example/v1/feeds/feed.json?tag=even');
    expect(feed.items).toHaveLength(12);
    for (const item of feed.items) {
      expect(typeof item.id).toBe('string');
      expect(item.url).toMatch(/^https:\/\/shop\.example\/articles\/post-\d+$/);
      expect(typeof item.content_html).toBe('string');
      expect(Number.isNaN(Date.parse(item.date_published))).toBe(false);
      expect(Number.isNaN(Date.parse(item.date_modified))).toBe(false);
    }
    expect(feed.items[0].date_published).toMatch(/^2026-06-01T22:00:00/);
  });
});

describe('GET /sitemap.xml', () => {
  it('lists the home page, every published article, every product and every tag with articles', async () => {
    const { app } = await setup({
      siteUrl: 'https://shop.example',
      sitePaths: { article: '/blog/{slug}', product: '/p/{slug}', tag: '/t/{slug}' },
    });
    const res = await app.inject({ method: 'GET', url: '/sitemap.xml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers.etag).toBeDefined();
    const urlset = parser.parse(res.body).urlset;
    expect(urlset['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const urls = urlset.url as { loc: string; lastmod?: string }[];
    const locs = urls.map((u) => u.loc);
    expect(locs[0]).toBe('https://shop.example/');
    expect(locs.filter((l) => l.startsWith('https://shop.example/blog/'))).toHaveLength(23);
    expect(locs).not.toContain('https://shop.example/blog/draft');
    expect(locs).not.toContain('https://shop.example/blog/tomorrow');
    expect(locs).toContain('https://shop.example/p/cushion');
    expect(locs).toEqual(expect.arrayContaining(['https://shop.example/t/even', 'https://shop.example/t/odd']));
    expect(urls.find((u) => u.loc === 'https://shop.example/blog/post-0')?.lastmod).toBe('2026-06-01T00:00:00.000Z');
    const revalidated = await app.inject({
      method: 'GET',
      url: '/sitemap.xml',
      headers: { 'if-none-match': res.headers.etag as string },
    });
    expect(revalidated.statusCode).toBe(304);
  });

  it('becomes an index of parts past SITEMAP_MAX_URLS, each part a urlset, together every URL once', async () => {
    const { app } = await setup({ ...SITE, sitemapMaxUrls: 10 });
    const index = await app.inject({ method: 'GET', url: '/sitemap.xml' });
    const sitemaps = parser.parse(index.body).sitemapindex.sitemap as { loc: string }[];
    // 1 home + 23 articles + 1 product + 2 tags = 27 URLs: 3 parts.
    expect(sitemaps.map((s) => s.loc)).toEqual([1, 2, 3].map((n) => `https://api.example/sitemaps/${n}.xml`));
    const locs: string[] = [];
    for (const n of [1, 2, 3]) {
      const part = await app.inject({ method: 'GET', url: `/sitemaps/${n}.xml` });
      expect(part.statusCode).toBe(200);
      expect(part.headers['content-type']).toBe('application/xml; charset=utf-8');
      locs.push(...[parser.parse(part.body).urlset.url].flat().map((u: { loc: string }) => u.loc));
    }
    expect(locs).toHaveLength(27);
    expect(new Set(locs).size).toBe(27);
    expect((await app.inject({ method: 'GET', url: '/sitemaps/4.xml' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/sitemaps/0.xml' })).statusCode).toBe(400);
  });
});
