import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { managementRoute } from '../../http/auth.js';
import { always } from '../../http/response-headers.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { type Site, SiteIfMatchHeadersSchema, SitePatchSchema, SiteSchema } from './site.schemas.js';
import { getAdminSite, patchSite, siteEtag } from './site.service.js';

const SITE_ETAG = { ETag: always('The site settings version; send it back as If-Match on your next change') };

const editorial = managementRoute(['admin', 'editor'] as const, 'admin-site');

const sendSite = (reply: FastifyReply, site: Site) => reply.header('etag', siteEtag(site)).send(site);

export const adminSiteRoutes: FastifyPluginAsync<RouteDeps> = async (app, { db, now }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/site',
    editorial('adminGetSite', 'The site settings, with their ETag', { response: { 200: SiteSchema } }, [404], {
      200: SITE_ETAG,
    }),
    async (_request, reply) => sendSite(reply, await getAdminSite({ db })),
  );

  routes.patch(
    '/site',
    editorial(
      'adminUpdateSite',
      'Change the site settings (merge; null clears); creates them when missing, which needs a name',
      { headers: SiteIfMatchHeadersSchema, body: SitePatchSchema, response: { 200: SiteSchema } },
      [400, 412, 422],
      { 200: SITE_ETAG },
    ),
    async (request, reply) =>
      sendSite(reply, await patchSite({ db, now: now(), ifMatch: request.headers['if-match'], patch: request.body })),
  );
};
