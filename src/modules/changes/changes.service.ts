import type { DatabaseHandles } from '../../db/client.js';
import {
  commentArticleId,
  findCursor,
  getLatestPosition,
  isBefore,
  listEventsAfter,
  type OutboxEvent,
  type OutboxPosition,
  PRUNED_CURSOR,
  pruneEvents,
} from '../../db/outbox.js';
import { AppError, badRequest } from '../../http/errors.js';
import type { Change } from './changes.schemas.js';

/** Opaque to clients: base64url of "txId.id", the outbox position in commit order. */
export function encodeChangeCursor(position: OutboxPosition): string {
  return Buffer.from(`${position.txId}.${position.id}`).toString('base64url');
}

export function decodeChangeCursor(cursor: string): OutboxPosition {
  const text = /^[\w-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : '';
  const match = /^(\d{1,18})\.(\d{1,15})$/.exec(text);
  if (!match)
    throw badRequest('The since cursor is not one this API gave out: pass meta.nextCursor unchanged.', [
      { location: 'query', pointer: '/since', message: 'Not a change cursor' },
    ]);
  return { txId: Number(match[1]), id: Number(match[2]) };
}

const cursorExpired = () =>
  new AppError({
    status: 410,
    code: 'cursor_expired',
    title: 'Gone',
    detail:
      'Changes this far back are no longer kept: resync from the lists (/v1/articles, /v1/products, /v1/site), then follow the feed from now (omit since).',
  });

/** Comment events name the article whose public thread changed; a pending comment is never public. */
function toChange(event: OutboxEvent): Change {
  const cursor = encodeChangeCursor(event);
  const { type, at } = event;
  if (type === 'comment.created') throw new Error('comment.created is not a public change');
  if (type === 'comment.approved' || type === 'comment.removed')
    return { cursor, type, kind: 'article', id: commentArticleId(event) ?? 0, slug: event.slug, at };
  const kind = event.kind === 'comment' ? 'article' : event.kind;
  return {
    cursor,
    type,
    kind,
    id: event.resourceId,
    slug: event.slug,
    ...(type === 'article.slug_changed' && event.previousSlug !== null ? { previousSlug: event.previousSlug } : {}),
    at,
  };
}

export async function listChanges(
  { db }: { db: DatabaseHandles },
  query: { since?: string | undefined; limit: number },
) {
  if (query.since === undefined) {
    const latest = await getLatestPosition({ db: db.read });
    return { data: [], meta: { limit: query.limit, nextCursor: encodeChangeCursor(latest) } };
  }
  const since = decodeChangeCursor(query.since);
  // Two reads at once (two pooled connections on PostgreSQL): a feed page is one round trip.
  const [pruned, events] = await Promise.all([
    findCursor({ db: db.read, name: PRUNED_CURSOR }),
    listEventsAfter({ db: db.read, after: since, limit: query.limit, excludeTypes: ['comment.created'] }),
  ]);
  if (pruned && isBefore(since, pruned)) throw cursorExpired();
  const last = events.at(-1);
  return {
    data: events.map(toChange),
    meta: { limit: query.limit, nextCursor: last ? encodeChangeCursor(last) : query.since },
  };
}

/** Drops events older than the retention; a cursor behind what was dropped gets 410 from then on. */
export function pruneChanges({ db, now, retentionDays }: { db: DatabaseHandles; now: Date; retentionDays: number }) {
  const before = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  return pruneEvents({ db, before, at: now.toISOString() });
}
