import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { collectionJson, decodeCursor, splitPage } from '../../http/cursor.js';
import { notFound } from '../../http/errors.js';
import { findPublicArticleIdBySlug } from '../articles/articles.documents.js';
import { listThreadDocuments } from './comments.repository.js';

/** A page of the public thread as a JSON body: visible roots, each with its visible replies. */
export async function getPublicThread({
  db,
  slug,
  now,
  limit,
  cursor,
}: {
  db: Db;
  slug: string;
  now: Date;
  limit: number;
  cursor?: string | undefined;
}) {
  const articleId = await findPublicArticleIdBySlug({ db, slug, now: now.toISOString() });
  if (articleId === undefined) throw notFound(`No published article has the slug "${slug}".`);
  const after = decodeCursor<[string, number]>(cursor, ['string', 'number']);
  const rows = await listThreadDocuments({
    db,
    articleId,
    limit: limit + 1,
    ...(after ? { after: { createdAt: after[0], id: after[1] } } : {}),
  });
  const page = splitPage(rows, limit, (r) => [r.createdAt, r.id]);
  return {
    articleId,
    json: collectionJson(
      page.rows.map((r) => r.doc),
      { limit, nextCursor: page.nextCursor },
    ),
  };
}

/** Identifies the same text regardless of case and spacing, for duplicate detection. */
export function contentHashOf(body: string): string {
  return createHash('sha256').update(body.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()).digest('hex');
}
