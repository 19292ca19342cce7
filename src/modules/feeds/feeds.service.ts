import { Feed } from 'feed';
import type { Config, SitePaths } from '../../config.js';
import type { Db } from '../../db/client.js';
import { notFound } from '../../http/errors.js';
import type { Article, ArticleSummary } from '../articles/articles.schemas.js';
import { getPublicArticle, listPublicArticleSummaries } from '../articles/articles.service.js';
import { articleHtml } from '../render/article-html.js';
import { renderMarkdown } from '../render/markdown.js';
import { createMemo } from '../render/memo.js';
import { getSite } from '../site/site.repository.js';
import {
  countSitemapLocations,
  findTagName,
  listProductLocations,
  listPublicArticleLocations,
  listPublicTagLocations,
  type Slice,
} from './feeds.reads.js';

export const FEED_SIZE = 20;

interface SiteContext {
  name: string;
  description: string | null;
  /** The website pages live under (SITE_URL, else the site's url). */
  siteUrl: string;
  /** Where this API and its images are served (PUBLIC_URL, else the site's url), if known. */
  apiUrl: string | null;
  paths: SitePaths;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

async function siteContext({ db, config }: { db: Db; config: Config }): Promise<SiteContext> {
  const site = await getSite({ db });
  const siteUrl = config.siteUrl ?? (site?.url ? trimSlash(site.url) : null);
  if (siteUrl === null)
    throw notFound("Feeds and the sitemap need the website's address: set SITE_URL, or the site's url.");
  const apiUrl = config.publicUrl ?? (site?.url ? trimSlash(site.url) : null);
  return {
    name: site?.name ?? 'Quire',
    description: site?.description ?? null,
    siteUrl,
    apiUrl,
    paths: config.sitePaths,
  };
}

/** `{SITE_URL}` + a path template with `{slug}` filled in. */
export function pageUrl(site: Pick<SiteContext, 'siteUrl'>, template: string, slug: string): string {
  return `${site.siteUrl}${template.replace('{slug}', encodeURIComponent(slug))}`;
}

export type FeedFormat = 'rss' | 'atom' | 'json';

/**
 * The newest published articles (of one tag, if given) as RSS 2.0, Atom 1.0 or JSON Feed 1.1.
 * Rendering is memoised by the exact article documents, so with the response cache off a feed
 * still renders once per content version (the reads remain).
 */
export function createFeedRenderer({ memoBytes = 16 * 1024 * 1024 }: { memoBytes?: number } = {}) {
  const bodies = createMemo(memoBytes / 2);
  const articleBodies = createMemo(memoBytes / 2);
  const contentOf = (article: Article, json: string, base: string | null) => {
    const key = `${base ?? ''}\u0000${json}`;
    const known = articleBodies.get(key);
    if (known !== undefined) return known;
    const html = articleHtml(article, base);
    articleBodies.set(key, html);
    return html;
  };

  return async function renderFeed({
    db,
    config,
    now,
    tag,
    format,
  }: {
    db: Db;
    config: Config;
    now: Date;
    tag: string | undefined;
    format: FeedFormat;
  }): Promise<{ body: string; articleIds: number[] }> {
    const site = await siteContext({ db, config });
    const tagName = tag === undefined ? undefined : await findTagName({ db, slug: tag });
    if (tag !== undefined && tagName === undefined) throw notFound(`No tag has the slug "${tag}".`);

    const page = await listPublicArticleSummaries({ db, now, limit: FEED_SIZE, ...(tag ? { tag } : {}) });
    const summaries = (JSON.parse(page.json) as { data: ArticleSummary[] }).data;
    const documents: string[] = [];
    for (const summary of summaries) {
      const found = await getPublicArticle({ db, slug: summary.slug, now });
      if (found.kind === 'article') documents.push(found.json);
    }
    const articleIds = page.articleIds;
    const key = JSON.stringify([format, tag ?? null, tagName ?? null, site, documents]);
    const known = bodies.get(key);
    if (known !== undefined) return { body: known, articleIds };

    const articles = documents.map((json) => ({ json, article: JSON.parse(json) as Article }));
    const query = tag === undefined ? '' : `?tag=${encodeURIComponent(tag)}`;
    const feedUrl = (file: string) => (site.apiUrl === null ? undefined : `${site.apiUrl}/v1/feeds/${file}${query}`);
    const feedLinks = Object.fromEntries(
      [
        ['rss', feedUrl('rss.xml')],
        ['atom', feedUrl('atom.xml')],
        ['json', feedUrl('feed.json')],
      ].filter(([, url]) => url !== undefined),
    );
    // The newest change among the items, never the clock: the same ETag always describes the same bytes.
    const updated =
      articles
        .map(({ article }) => article.updatedAt)
        .sort()
        .at(-1) ?? '1970-01-01T00:00:00.000Z';
    const home = tag === undefined ? `${site.siteUrl}/` : pageUrl(site, site.paths.tag, tag);
    const feed = new Feed({
      id: home,
      link: home,
      title: tagName === undefined ? site.name : `${site.name}: ${tagName}`,
      ...(site.description ? { description: site.description } : {}),
      updated: new Date(updated),
      generator: 'Quire',
      feedLinks,
    });
    for (const { json, article } of articles) {
      const link = pageUrl(site, site.paths.article, article.slug);
      feed.addItem({
        id: link,
        link,
        title: article.title,
        // RSS has one date (pubDate): the publication. Atom and JSON Feed also say when it last changed.
        date: new Date(format === 'rss' ? article.publishedAt : article.updatedAt),
        published: new Date(article.publishedAt),
        // JSON Feed's summary is plain text; RSS and Atom carry HTML.
        ...(article.summary
          ? { description: format === 'json' ? article.summary : renderMarkdown(article.summary, site.apiUrl) }
          : {}),
        content: contentOf(article, json, site.apiUrl),
        category: article.tags.map((t) => ({
          name: t.name,
          term: t.slug,
          domain: pageUrl(site, site.paths.tag, t.slug),
        })),
      });
    }
    const body = format === 'rss' ? feed.rss2() : format === 'atom' ? feed.atom1() : toJsonFeed11(feed.json1());
    bodies.set(key, body);
    return { body, articleIds };
  };
}

export type FeedRenderer = ReturnType<typeof createFeedRenderer>;

/** The feed package writes JSON Feed 1.0; 1.1 renames `author` to `authors` and changes the version. */
function toJsonFeed11(json: string): string {
  const doc = JSON.parse(json) as Record<string, unknown> & { items?: Record<string, unknown>[] };
  const upgrade = (o: Record<string, unknown>) => {
    if (o.author !== undefined) {
      o.authors = [o.author];
      delete o.author;
    }
  };
  doc.version = 'https://jsonfeed.org/version/1.1';
  upgrade(doc);
  for (const item of doc.items ?? []) upgrade(item);
  return JSON.stringify(doc);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const xml = (text: string) => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

/**
 * Every public page: the home page, each published article, each product, each tag with articles.
 * Past `config.sitemapMaxUrls` (at most 50,000, the protocol's limit), /sitemap.xml becomes an
 * index of /sitemaps/{n}.xml files; `page` asks for one of them.
 */
export async function renderSitemap({
  db,
  config,
  now,
  page,
}: {
  db: Db;
  config: Config;
  now: Date;
  page?: number;
}): Promise<string> {
  const site = await siteContext({ db, config });
  const at = now.toISOString();
  // The home page, then articles, products and tags: each part reads only its slice of them.
  const counts = await countSitemapLocations({ db, now: at });
  const total = 1 + counts.articles + counts.products + counts.tags;
  const size = config.sitemapMaxUrls;
  const pages = Math.ceil(total / size);
  if (page === undefined && pages > 1) {
    const base = site.apiUrl ?? site.siteUrl;
    const entries = Array.from(
      { length: pages },
      (_, i) => `<sitemap><loc>${xml(`${base}/sitemaps/${i + 1}.xml`)}</loc></sitemap>`,
    );
    return `${XML_HEADER}<sitemapindex xmlns="${SITEMAP_NS}">\n${entries.join('\n')}\n</sitemapindex>\n`;
  }
  const index = page ?? 1;
  if (index > pages) throw notFound(`The sitemap has ${pages} part(s).`);
  const from = (index - 1) * size;
  const to = Math.min(total, index * size);
  // The part's rows of a list that occupies [start, start + length) of the whole.
  const sliceOf = (start: number, length: number): Slice => ({
    offset: Math.max(0, from - start),
    limit: Math.max(0, Math.min(to, start + length) - Math.max(from, start)),
  });
  const articleSlice = sliceOf(1, counts.articles);
  const productSlice = sliceOf(1 + counts.articles, counts.products);
  const tagSlice = sliceOf(1 + counts.articles + counts.products, counts.tags);
  const urls: { loc: string; lastmod?: string }[] = from === 0 ? [{ loc: `${site.siteUrl}/` }] : [];
  if (articleSlice.limit > 0)
    for (const a of await listPublicArticleLocations({ db, now: at, slice: articleSlice }))
      urls.push({ loc: pageUrl(site, site.paths.article, a.slug), lastmod: a.updatedAt });
  if (productSlice.limit > 0)
    for (const p of await listProductLocations({ db, slice: productSlice }))
      urls.push({ loc: pageUrl(site, site.paths.product, p.slug), lastmod: p.updatedAt });
  if (tagSlice.limit > 0)
    for (const t of await listPublicTagLocations({ db, now: at, slice: tagSlice }))
      urls.push({ loc: pageUrl(site, site.paths.tag, t.slug) });
  const lines = urls.map(
    ({ loc, lastmod }) => `<url><loc>${xml(loc)}</loc>${lastmod ? `<lastmod>${xml(lastmod)}</lastmod>` : ''}</url>`,
  );
  return `${XML_HEADER}<urlset xmlns="${SITEMAP_NS}">\n${lines.join('\n')}\n</urlset>\n`;
}
