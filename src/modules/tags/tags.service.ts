import type { Db } from '../../db/schema.js';
import { decodeCursor, splitPage } from '../../http/cursor.js';
import { notFound } from '../../http/errors.js';
import { findPublicTag, listPublicTags } from './tags.repository.js';

/** A page of tags that have public articles, by slug. */
export async function listTags({
  db,
  now,
  limit,
  cursor,
}: {
  db: Db;
  now: Date;
  limit: number;
  cursor?: string | undefined;
}) {
  const after = decodeCursor<[string]>(cursor, ['string']);
  const rows = await listPublicTags({ db, now: now.toISOString(), limit: limit + 1, afterSlug: after?.[0] });
  const page = splitPage(rows, limit, (r) => [r.slug]);
  return { rows: page.rows, meta: { limit, nextCursor: page.nextCursor } };
}

/** One tag; an unknown tag and one without public articles are both 404, so drafts' tags stay private. */
export async function getTag({ db, now, slug }: { db: Db; now: Date; slug: string }) {
  const tag = await findPublicTag({ db, slug, now: now.toISOString() });
  if (!tag) throw notFound(`No published article has the tag "${slug}".`);
  return tag;
}
