import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { getContentVersion, listUpcomingPublicationTimes } from '../modules/content/content.repository.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Public, cacheable read: gets an ETag, Cache-Control and an early 304. */
    publicCache?: boolean;
  }
}

export interface ContentState {
  version: number;
  /** The latest scheduled publication that has come due since the version was read ("" if none). */
  horizon: string;
  /** When the next scheduled publication comes due, if any. */
  nextChangeAt: Date | null;
}

const UPCOMING_BATCH = 1000;

/**
 * What the public sees is a function of the content version (bumped by every write, in the
 * database, so all processes agree) and of which scheduled publications have come due.
 */
export function createContentStateReader({ db, now }: { db: Db; now: () => Date }) {
  let cached: { version: number; upcoming: string[]; complete: boolean } | null = null;

  return async function readContentState(): Promise<ContentState> {
    const at = now().toISOString();
    const version = await getContentVersion({ db });
    const exhausted = cached && !cached.complete && cached.upcoming.every((t) => t <= at);
    if (!cached || cached.version !== version || exhausted) {
      const upcoming = await listUpcomingPublicationTimes({ db, now: at, limit: UPCOMING_BATCH });
      cached = { version, upcoming, complete: upcoming.length < UPCOMING_BATCH };
    }
    let horizon = '';
    let next: string | undefined;
    for (const time of cached.upcoming) {
      if (time <= at) horizon = time;
      else {
        next = time;
        break;
      }
    }
    return { version, horizon, nextChangeAt: next ? new Date(next) : null };
  };
}

export function computeEtag(state: ContentState, requestUrl: string): string {
  const digest = createHash('sha256').update(`${state.version}\n${state.horizon}\n${requestUrl}`).digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

/** Caps s-maxage so a CDN never holds a response past the next scheduled publication. */
export function cacheControlFor(template: string, nextChangeAt: Date | null, now: Date): string {
  if (!nextChangeAt) return template;
  const secondsLeft = Math.max(0, Math.floor((nextChangeAt.getTime() - now.getTime()) / 1000));
  return template.replace(/s-maxage=(\d+)/, (_match, value: string) => `s-maxage=${Math.min(Number(value), secondsLeft)}`);
}

function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  // "*" is not honoured: it would answer 304 before knowing whether the resource exists.
  if (!header) return false;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** Names what a response holds, so a CDN can purge exactly what a write touched. */
export function setSurrogateKeys(reply: FastifyReply, keys: Iterable<string>): void {
  reply.header('surrogate-key', [...new Set(keys)].join(' '));
}

export function installPublicCaching(app: FastifyInstance, options: { db: Db; now: () => Date; cacheControl: string }): void {
  const readContentState = createContentStateReader({ db: options.db, now: options.now });
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.routeOptions.config.publicCache || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    // The version is read before the body is assembled, so a body is never older than its ETag.
    const state = await readContentState();
    const etag = computeEtag(state, request.url);
    reply.header('etag', etag);
    reply.header('cache-control', cacheControlFor(options.cacheControl, state.nextChangeAt, options.now()));
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
      await reply.code(304).send();
    }
  });
}
