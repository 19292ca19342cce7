import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { getContentVersion, getPublicationHorizon } from '../modules/content/content.repository.js';
import { type CachedResponse, createResponseCache } from './response-cache.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Public, cacheable read: gets an ETag, Cache-Control and an early 304. */
    publicCache?: boolean;
  }
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
export function createContentStateReader({ db, now }: { db: Db; now: () => Date }) {
  let known: ContentState | null = null;

  return async function readContentState(): Promise<ContentState> {
    const at = now();
    const version = await getContentVersion({ db });
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

export function computeEtag(key: string): string {
  return `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
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

function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
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

const MAX_REMEMBERED_ETAGS = 100_000;

export interface CachingOptions {
  db: Db;
  now: () => Date;
  cacheControl: string;
  /** Byte budget of the in-process response cache; 0 turns it off. */
  cacheBytes: number;
}

/** What a public request resolves to before any handler runs. */
export interface Resolution {
  /** The content version this representation describes. */
  version: number;
  key: string;
  etag: string;
  cacheControl: string;
  notModified: boolean;
  hit: CachedResponse | undefined;
}

/**
 * The validators and cached bytes of public representations: one object shared by the Fastify
 * hooks and the fast lane in front of Fastify, so both answer exactly alike.
 */
export function createPublicCache(options: CachingOptions) {
  const readContentState = createContentStateReader({ db: options.db, now: options.now });
  const store = options.cacheBytes > 0 ? createResponseCache(options.cacheBytes) : null;
  // ETags of the current state, so the hot path hashes each URL once per content version.
  const etags = new Map<string, string>();
  // Representations a public route answered with 200 in the current state.
  const answered = new Set<string>();
  let known: ContentState | null = null;

  return {
    /** Reads the content state (one indexed read), then answers from memory what it can. */
    async resolve(url: string, ifNoneMatch: string | undefined): Promise<Resolution> {
      // The version is read before any body is assembled, so a body is never older than its ETag.
      const state = await readContentState();
      if (state !== known) {
        // Entries of an older state can never be hit again: free their memory at once.
        store?.clear();
        etags.clear();
        answered.clear();
        known = state;
      }
      const key = representationKey(state, url);
      let etag = etags.get(key);
      if (etag === undefined) {
        etag = computeEtag(key);
        if (etags.size < MAX_REMEMBERED_ETAGS) etags.set(key, etag);
      }
      const cacheControl =
        state.nextChangeAt === null
          ? options.cacheControl
          : cacheControlFor(options.cacheControl, state.nextChangeAt, options.now());
      const notModified = matchesIfNoneMatch(ifNoneMatch, etag);
      return {
        version: state.version,
        key,
        etag,
        cacheControl,
        notModified,
        hit: notModified ? undefined : store?.get(key),
      };
    },
    remember(key: string, body: string, surrogateKey: string | undefined, contentType?: string): void {
      if (answered.size < MAX_REMEMBERED_ETAGS) answered.add(key);
      store?.set(key, {
        body,
        surrogateKey,
        ...(contentType && contentType !== JSON_CONTENT_TYPE ? { contentType } : {}),
      });
    },
    /** Whether a public route answered this representation with 200 in the current state. */
    knows(key: string): boolean {
      return answered.has(key);
    },
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
export function installPublicCaching(app: FastifyInstance, cache: PublicCache): void {
  const keys = new WeakMap<FastifyRequest, string>();

  const lookup = async (request: FastifyRequest, reply: FastifyReply) => {
    const resolved = await cache.resolve(request.url, request.headers['if-none-match']);
    reply.header('etag', resolved.etag);
    reply.header('cache-control', resolved.cacheControl);
    if (resolved.notModified) return reply.code(304).send();
    if (resolved.hit) {
      if (resolved.hit.surrogateKey) reply.header('surrogate-key', resolved.hit.surrogateKey);
      return reply.header('content-type', resolved.hit.contentType ?? JSON_CONTENT_TYPE).send(resolved.hit.body);
    }
    keys.set(request, resolved.key);
    requestVersions.set(request, resolved.version);
  };

  const remember = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const key = keys.get(request);
    if (key !== undefined && reply.statusCode === 200 && typeof payload === 'string') {
      const surrogateKey = reply.getHeader('surrogate-key');
      const contentType = reply.getHeader('content-type');
      cache.remember(
        key,
        payload,
        typeof surrogateKey === 'string' ? surrogateKey : undefined,
        typeof contentType === 'string' ? contentType : undefined,
      );
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
