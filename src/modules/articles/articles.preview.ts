import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DatabaseHandles, Db } from '../../db/client.js';
import { AppError, notFound } from '../../http/errors.js';
import { findArticleDocumentById } from './articles.documents.js';
import { bumpPreviewEpoch, findArticleById } from './articles.repository.js';

/**
 * Preview links: a token signed with the installation's preview secret, bound to one article, its
 * preview epoch (bumped to revoke every link at once) and an expiry. Nothing is stored per token.
 */
function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

const invalid = (detail: string) =>
  new AppError({
    status: 401,
    code: 'unauthorized',
    title: 'Unauthorized',
    detail,
    headers: { 'www-authenticate': 'Preview realm="quire"' },
  });

export async function createPreviewLink({
  db,
  secret,
  id,
  now,
  ttlSeconds,
}: {
  db: Db;
  secret: string;
  id: number;
  now: Date;
  ttlSeconds: number;
}) {
  const article = await findArticleById({ db, id });
  if (!article) throw notFound(`No article has the id ${id}.`);
  const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const payload = `${id}.${article.previewEpoch}.${expires}`;
  const token = `${Buffer.from(payload).toString('base64url')}.${sign(secret, payload)}`;
  return {
    token,
    url: `/v1/preview/articles/${id}?token=${token}`,
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}

export async function revokePreviewLinks({ db, id }: { db: DatabaseHandles; id: number }): Promise<void> {
  const found = await db.withTransaction((tx) => bumpPreviewEpoch({ db: tx, id }), { touchesContent: false });
  if (!found) throw notFound(`No article has the id ${id}.`);
}

/** The article's current text in the public shape, if the token opens it; 401 otherwise, 404 once it is deleted. */
export async function readPreview({
  db,
  secret,
  id,
  token,
  now,
}: {
  db: Db;
  secret: string;
  id: number;
  token: string | undefined;
  now: Date;
}): Promise<string> {
  if (!token) throw invalid('A preview token is required: Authorization: Preview <token>, or ?token=.');
  const [encoded = '', signature = ''] = token.split('.');
  const payload = Buffer.from(encoded, 'base64url').toString();
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw invalid('The preview token is not valid.');
  const [tokenId, epoch, expires] = payload.split('.').map(Number);
  const found = await findArticleDocumentById({ db, id });
  if (!found) throw notFound(`No article has the id ${id}.`);
  if (tokenId !== id) throw invalid('The preview token is for another article.');
  if (!Number.isFinite(expires) || (expires as number) * 1000 <= now.getTime())
    throw invalid('The preview token has expired; ask for a new preview link.');
  if (found.previewEpoch !== epoch) throw invalid('The preview links of this article were revoked.');
  return found.json;
}
