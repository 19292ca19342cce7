import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { decodeCursor, splitPage } from '../../http/cursor.js';
import { notFound } from '../../http/errors.js';
import { findPublicArticleBySlug } from '../articles/articles.repository.js';
import type { PublicComment } from './comments.schemas.js';
import { listVisibleReplies, listVisibleRoots } from './comments.repository.js';

/** A page of the public thread: visible roots, each with its visible replies. */
export async function getPublicThread({ db, slug, now, limit, cursor }: { db: Db; slug: string; now: Date; limit: number; cursor?: string }) {
  const article = await findPublicArticleBySlug({ db, slug, now: now.toISOString() });
  if (!article) throw notFound(`No published article has the slug "${slug}".`);
  const after = decodeCursor<[string, number]>(cursor, ['string', 'number']);
  const rows = await listVisibleRoots({ db, articleId: article.id, limit, ...(after ? { after: { createdAt: after[0], id: after[1] } } : {}) });
  const page = splitPage(rows, limit, (r) => [r.createdAt, r.id]);
  const replies = await listVisibleReplies({ db, parentIds: page.rows.map((r) => r.id) });
  const data: PublicComment[] = page.rows.map((root) => ({
    ...root,
    replies: replies.filter((r) => r.parentId === root.id).map(({ parentId: _parentId, ...reply }) => reply),
  }));
  return { articleId: article.id, data, meta: { limit, nextCursor: page.nextCursor } };
}

/** Identifies the same text regardless of case and spacing, for duplicate detection. */
export function contentHashOf(body: string): string {
  return createHash('sha256').update(body.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()).digest('hex');
}
