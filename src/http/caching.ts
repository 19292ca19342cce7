import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ContentVersionFeed, Db } from '../db/client.js';
import { getContentVersion, getPublicationHorizon } from '../modules/content/content.repository.js';
import { type CachedResponse, createByteLru, createResponseCache, ENTRY_OVERHEAD_BYTES } from './response-cache.js';
import { always, type HeaderDeclaration, responseHeaders } from './response-headers.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Public, cacheable read: gets an ETag, Cache-Control and an early 304. */
    publicCache?: boolean;
  }
}

const VALIDATORS = {
  ETag: always('Strong validator of this representation; send it as If-None-Match to revalidate'),
  'Cache-Control': always('Caching policy; s-maxage never runs past the next scheduled publication'),
};

/**
 * Route options of a public, cacheable read: the hooks below answer it (ETag, Cache-Control, 304),
 * and its handler names what it holds in Surrogate-Key.
 */
export function publicRead<S extends object>(schema: S, headers?: HeaderDeclaration) {
  return {
    config: { publicCache: true },
    schema: {
      ...schema,
      ...responseHeaders(
        {
          200: {
            ...VALIDATORS,
            'Surrogate-Key': always('What the response holds, for CDN purges (article-1 product-2 comments-1)'),
          },
          304: VALIDATORS,
        },
        headers,
      ),
    },
  };
}

export interface ContentState {
  version: number;
  /** The latest publication time already passed ("" if none): moves when a scheduled article comes due. */
  horizon: string;
  /** When the next scheduled publication comes due, if any. */
  nextChangeAt: Date | null;
}

/**
 * What the public sees is a function of the content version (bumped by every write, in the
 * database, so all processes agree) and of the publication times already passed. The horizon is
 * re-read only when the version moved or the next publication time came.
 */
export function createContentStateReader({
  db,
  now,
  contentVersion,
}: {
  db: Db;
  now: () => Date;
  /** The version kept in memory by the engine (PostgreSQL LISTEN/NOTIFY), when it knows it. */
  contentVersion?: ContentVersionFeed | undefined;
}) {
  let known: ContentState | null = null;

  return async function readContentState(): Promise<ContentState> {
    const at = now();
    const version = contentVersion?.current() ?? (await getContentVersion({ db }));
    const current =
      known !== null && known.version === version && (known.nextChangeAt === null || at < known.nextChangeAt);
    if (!current) {
      const { passed, next } = await getPublicationHorizon({ db, now: at.toISOString() });
      known = { version, horizon: passed ?? '', nextChangeAt: next ? new Date(next) : null };
    }
    return known!;
  };
}

/** Everything a public representation depends on: content, scheduling, and the request itself. */
export function representationKey(state: ContentState, requestUrl: string): string {
  return `${state.version}\n${state.horizon}\n${requestUrl}`;
}

/** Keyed with the installation's secret, so nobody can compute the ETag of a URL they were never sent. */
export function computeEtag(secret: string, key: string): string {
  return `"${createHmac('sha256', secret).update(key).digest('base64url').slice(0, 27)}"`;
}

/** Caps s-maxage so a CDN never holds a response past the next scheduled publication. */
export function cacheControlFor(template: string, nextChangeAt: Date | null, now: Date): string {
  if (!nextChangeAt) return template;
  const secondsLeft = Math.max(0, Math.floor((nextChangeAt.getTime() - now.getTime()) / 1000));
  return template.replace(
    /s-maxage=(\d+)/,
    (_match, value: string) => `s-maxage=${Math.min(Number(value), secondsLeft)}`,
  );
}

export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  // "*" is not honoured: it would answer 304 before knowing whether the resource exists.
  if (!header) return false;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** Sends a body that is already JSON text, bypassing the serializer (its schema still documents it). */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.header('content-type', JSON_CONTENT_TYPE).send(json);
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Names what a response holds, so a CDN can purge exactly what a write touched. */
export function setSurrogateKeys(reply: FastifyReply, keys: Iterable<string>): void {
  reply.header('surrogate-key', [...new Set(keys)].join(' '));
}

// Validators of answered representations: bounded by bytes whatever the URLs (~40,000 typical ones).
const VALIDATOR_CACHE_BYTES = 4 * 1024 * 1024;

export interface CachingOptions {
  db: Db;
  contentVersion?: ContentVersionFeed | undefined;
  now: () => Date;
  cacheControl: string;
  /** Byte budget of the in-process response cache; 0 turns it off. */
  cacheBytes: number;
  /** This installation's secret ETag key (instance_secrets 'etag-secret'), shared by its processes. */
  etagSecret: string;
}

/** What a public request resolves to before any handler runs. */
export interface Resolution {
  /** The content version this representation describes. */
  version: number;
  key: string;
  etag: string;
  cacheControl: string;
  /** If-None-Match matches a representation answered 200 in the current state. */
  notModified: boolean;
  hit: CachedResponse | undefined;
}

/**
 * The validators and cached bytes of public representations: one object shared by the Fastify
 * hooks and the fast lane in front of Fastify, so both answer exactly alike.
 */
export function createPublicCache(options: CachingOptions) {
  const readContentState = createContentStateReader({
    db: options.db,
    now: options.now,
    contentVersion: options.contentVersion,
  });
  const store = options.cacheBytes > 0 ? createResponseCache(options.cacheBytes) : null;
  // Representations a public route answered with 200 in the current state, with their ETag. Only
  // those may get an early 304 (a 404 or 400 never does), and nothing else is remembered.
  const validators = createByteLru<string>(
    VALIDATOR_CACHE_BYTES,
    (key, etag) => ENTRY_OVERHEAD_BYTES + key.length + etag.length,
  );
  let known: ContentState | null = null;

  return {
    /** Reads the content state (one indexed read), then answers from memory what it can. */
    async resolve(url: string, ifNoneMatch: string | undefined): Promise<Resolution> {
      // The version is read before any body is assembled, so a body is never older than its ETag.
      const state = await readContentState();
      if (state !== known) {
        // Entries of an older state can never be hit again: free their memory at once.
        store?.clear();
        validators.clear();
        known = state;
      }
      const key = representationKey(state, url);
      const answered = validators.get(key);
      const etag = answered ?? computeEtag(options.etagSecret, key);
      const cacheControl =
        state.nextChangeAt === null
          ? options.cacheControl
          : cacheControlFor(options.cacheControl, state.nextChangeAt, options.now());
      const notModified = answered !== undefined && matchesIfNoneMatch(ifNoneMatch, etag);
      return {
        version: state.version,
        key,
        etag,
        cacheControl,
        notModified,
        hit: notModified ? undefined : store?.get(key),
      };
    },
    /** Called only for a 200 a public route answered; the content type is kept unless it is JSON. */
    remember(key: string, etag: string, body: string, surrogateKey: string | undefined, contentType?: string): void {
      validators.set(key, etag);
      store?.set(key, {
        body,
        surrogateKey,
        ...(contentType && contentType !== JSON_CONTENT_TYPE ? { contentType } : {}),
      });
    },
    stats: () => ({ validators: validators.stats(), responses: store?.stats() ?? { entries: 0, bytes: 0 } }),
  };
}

export type PublicCache = ReturnType<typeof createPublicCache>;

const requestVersions = new WeakMap<FastifyRequest, number>();

/** The content version a public request was resolved against, so handlers can memoise per version. */
export function contentVersionOf(request: FastifyRequest): number | undefined {
  return requestVersions.get(request);
}

/**
 * Public reads (routes with `config.publicCache`) get an ETag and Cache-Control, answer a matching
 * If-None-Match with 304, and are served from the response cache, all before validation or
 * handler run. Hooks are attached to those routes only, so other routes pay nothing.
 */
export function installPublicCaching(
  app: FastifyInstance,
  cache: PublicCache,
  countLookup: (result: 'hit' | 'not_modified' | 'miss') => void = () => {},
): void {
  const pending = new WeakMap<FastifyRequest, { key: string; etag: string }>();

  const lookup = async (request: FastifyRequest, reply: FastifyReply) => {
    const resolved = await cache.resolve(request.url, request.headers['if-none-match']);
    reply.header('etag', resolved.etag);
    reply.header('cache-control', resolved.cacheControl);
    if (resolved.notModified) {
      countLookup('not_modified');
      return reply.code(304).send();
    }
    if (resolved.hit) {
      countLookup('hit');
      if (resolved.hit.surrogateKey) reply.header('surrogate-key', resolved.hit.surrogateKey);
      return reply.header('content-type', resolved.hit.contentType ?? JSON_CONTENT_TYPE).send(resolved.hit.body);
    }
    countLookup('miss');
    pending.set(request, { key: resolved.key, etag: resolved.etag });
    requestVersions.set(request, resolved.version);
  };

  const remember = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const resolved = pending.get(request);
    if (resolved === undefined || reply.statusCode !== 200) return payload;
    if (typeof payload === 'string') {
      const surrogateKey = reply.getHeader('surrogate-key');
      const contentType = reply.getHeader('content-type');
      cache.remember(
        resolved.key,
        resolved.etag,
        payload,
        typeof surrogateKey === 'string' ? surrogateKey : undefined,
        typeof contentType === 'string' ? contentType : undefined,
      );
    }
    // Not remembered before (another process served it, or it was evicted): a 304 now that it is a 200.
    if (matchesIfNoneMatch(request.headers['if-none-match'], resolved.etag)) {
      reply.code(304).removeHeader('content-type').removeHeader('content-length').removeHeader('surrogate-key');
      return null;
    }
    return payload;
  };

  app.addHook('onRoute', (route) => {
    if (!route.config?.publicCache || (route.method !== 'GET' && route.method !== 'HEAD')) return;
    route.onRequest = [...asArray(route.onRequest), lookup];
    route.onSend = [...asArray(route.onSend), remember];
  });
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
