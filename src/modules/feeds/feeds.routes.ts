import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicRead, setSurrogateKeys } from '../../http/caching.js';
import { SlugSchema } from '../../http/common.schemas.js';
import { problemResponses } from '../../http/errors.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { createFeedRenderer, type FeedFormat, renderSitemap } from './feeds.service.js';

const FeedQuerySchema = z.object({ tag: SlugSchema.optional().describe('Only articles with this tag slug') }).strict();

const JsonFeedSchema = z
  .object({
    version: z.literal('https://jsonfeed.org/version/1.1'),
    title: z.string(),
    home_page_url: z.string(),
    feed_url: z.string().optional(),
    description: z.string().optional(),
    items: z.array(
      z.object({
        id: z.string(),
        url: z.string(),
        title: z.string(),
        summary: z.string().optional().describe('Plain text (the Markdown summary)'),
        content_html: z.string(),
        date_published: z.string(),
        date_modified: z.string(),
        tags: z.array(z.string()).optional(),
      }),
    ),
  })
  .meta({ id: 'JsonFeed', description: 'JSON Feed 1.1 (https://jsonfeed.org/version/1.1)' });

const FEEDS: {
  path: string;
  format: FeedFormat;
  contentType: string;
  operationId: string;
  summary: string;
  schema: z.ZodType;
}[] = [
  {
    path: '/feeds/rss.xml',
    format: 'rss',
    contentType: 'application/rss+xml',
    operationId: 'getRssFeed',
    summary: 'RSS 2.0 feed of the newest 20 published articles',
    schema: z.string(),
  },
  {
    path: '/feeds/atom.xml',
    format: 'atom',
    contentType: 'application/atom+xml',
    operationId: 'getAtomFeed',
    summary: 'Atom 1.0 feed of the newest 20 published articles',
    schema: z.string(),
  },
  {
    path: '/feeds/feed.json',
    format: 'json',
    contentType: 'application/feed+json',
    operationId: 'getJsonFeed',
    summary: 'JSON Feed 1.1 of the newest 20 published articles',
    schema: JsonFeedSchema,
  },
];

const textResponse = (contentType: string, description: string, schema: z.ZodType = z.string()) => ({
  description,
  content: { [contentType]: { schema } },
});

const send = (reply: FastifyReply, contentType: string, body: string) =>
  reply.header('content-type', `${contentType}; charset=utf-8`).send(body);

/** Feeds under /v1/feeds: summary and whole HTML content per item, links from SITE_URL and the path templates. */
export const feedRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now, config }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const renderFeed = createFeedRenderer();
  for (const feed of FEEDS) {
    routes.get(
      feed.path,
      publicRead({
        operationId: feed.operationId,
        tags: ['feeds'],
        summary: feed.summary,
        querystring: FeedQuerySchema,
        response: {
          200: textResponse(feed.contentType, 'The feed', feed.schema),
          ...problemResponses(400, 404),
        },
      }),
      async (request, reply) => {
        const { body, articleIds } = await renderFeed({
          db: db.read,
          config,
          now: now(),
          tag: request.query.tag,
          format: feed.format,
        });
        setSurrogateKeys(reply, ['articles', 'site', ...articleIds.map((id) => `article-${id}`)]);
        return send(reply, feed.contentType, body);
      },
    );
  }
};

const SitemapPartParamsSchema = z
  .object({ file: z.string().regex(/^[1-9]\d{0,5}\.xml$/, 'Expected <n>.xml') })
  .strict();

/** /sitemap.xml at the root, where crawlers look for it; its parts under /sitemaps/ when it is an index. */
export const sitemapRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now, config }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
    '/sitemap.xml',
    publicRead({
      operationId: 'getSitemap',
      tags: ['feeds'],
      summary: 'Sitemap of every published article, product and tag page (an index of parts when large)',
      response: { 200: textResponse('application/xml', 'The sitemap (sitemaps.org 0.9)'), ...problemResponses(404) },
    }),
    async (_request, reply) => {
      setSurrogateKeys(reply, ['articles', 'products', 'site']);
      return send(reply, 'application/xml', await renderSitemap({ db: db.read, config, now: now() }));
    },
  );
  routes.get(
    '/sitemaps/:file',
    publicRead({
      operationId: 'getSitemapPart',
      tags: ['feeds'],
      summary: 'One part of a sitemap too large for one file, as listed by /sitemap.xml',
      params: SitemapPartParamsSchema,
      response: { 200: textResponse('application/xml', 'A sitemap part'), ...problemResponses(400, 404) },
    }),
    async (request, reply) => {
      const page = Number.parseInt(request.params.file, 10);
      setSurrogateKeys(reply, ['articles', 'products', 'site']);
      return send(reply, 'application/xml', await renderSitemap({ db: db.read, config, now: now(), page }));
    },
  );
};
