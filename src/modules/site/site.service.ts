import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { DatabaseHandles } from '../../db/client.js';
import { recordEvents, surrogateKeysOf } from '../../db/outbox.js';
import { AppError, notFound, ruleViolation } from '../../http/errors.js';
import { checkIfMatch } from '../../http/preconditions.js';
import { getSite, lockSite, upsertSite } from './site.repository.js';
import type { Site, SitePatch } from './site.schemas.js';

/** The site has no revision column: its ETag is a digest of what it holds, so any change moves it. */
export function siteEtag(value: Site): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([value.name, value.description, value.url, value.announcement]))
    .digest('base64url');
  return `"site-${digest.slice(0, 22)}"`;
}

export async function getAdminSite({ db }: { db: DatabaseHandles }): Promise<Site> {
  const found = await db.withTransaction((tx) => getSite({ db: tx }), { readOnly: true });
  if (!found) throw notFound('The site has not been configured yet: PATCH it with at least a name to create it.');
  return found;
}

/**
 * A merge in one transaction: read the row, check If-Match against it, write. A missing row is
 * created (it needs a name); no If-Match can match a site that does not exist.
 */
export async function patchSite({
  db,
  now,
  ifMatch,
  patch,
}: {
  db: DatabaseHandles;
  now: Date;
  ifMatch: string | undefined;
  patch: SitePatch;
}): Promise<Site> {
  return db.withTransaction(async (tx) => {
    const current = await lockSite({ db: tx });
    if (current) checkIfMatch(ifMatch, siteEtag(current), 'site');
    // Not even "*" matches a site that does not exist (RFC 9110, If-Match).
    else if (ifMatch !== undefined)
      throw new AppError({
        status: 412,
        code: 'precondition_failed',
        title: 'Precondition Failed',
        detail: 'The site does not exist yet: send no If-Match to create it.',
      });
    const name = patch.name ?? current?.name;
    if (name === undefined)
      throw ruleViolation('The site does not exist yet: give it a name to create it.', [
        { location: 'body', pointer: '/name', message: 'Required to create the site' },
      ]);
    const next: Site = {
      name,
      description: patch.description === undefined ? (current?.description ?? null) : patch.description,
      url: patch.url === undefined ? (current?.url ?? null) : patch.url,
      announcement: patch.announcement === undefined ? (current?.announcement ?? null) : patch.announcement,
    };
    await upsertSite({ db: tx, values: next });
    if (current && isDeepStrictEqual(current, next)) return next;
    const keys = surrogateKeysOf.site();
    await recordEvents({
      tx,
      events: [{ type: 'site.updated', kind: 'site', resourceId: 1, slug: null, surrogateKeys: keys }],
      at: now.toISOString(),
    });
    return next;
  });
}
