import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DatabaseHandles } from '../db/client.js';
import type { Role } from '../db/schema.js';
import { touchKey } from '../modules/keys/keys.repository.js';
import { resolveKey } from '../modules/keys/keys.service.js';
import { clientAddress } from './client-address.js';
import { AppError, problemResponses } from './errors.js';
import type { SharedRedis } from './redis.js';
import { always, type HeaderDeclaration, NO_STORE, responseHeaders, WWW_AUTHENTICATE } from './response-headers.js';

const AUTH_RETRY_AFTER = { 'Retry-After': always('Seconds until this address may try a key again') };

export interface Principal {
  keyId: number;
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed to call the route; absent means public. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const BEARER_SCHEME = 'bearerAuth';
// lastUsedAt is written at most once a minute per key, not on every request.
const TOUCH_INTERVAL_MS = 60_000;

const unauthorized = (detail: string, error?: 'invalid_token') =>
  new AppError({
    status: 401,
    code: 'unauthorized',
    title: 'Unauthorized',
    detail,
    headers: { 'www-authenticate': error ? `Bearer realm="quire", error="${error}"` : 'Bearer realm="quire"' },
  });

/** Schema fragment for a management route: the bearer scheme, the roles, and the 401/403 problems. */
export function requiresRoles(roles: readonly Role[]) {
  return {
    security: [{ [BEARER_SCHEME]: [] }],
    'x-required-roles': [...roles],
    description: `Requires an API key with role: ${roles.join(' or ')}.`,
  };
}

export function authProblems<const S extends number[]>(...more: S) {
  return problemResponses(401, 403, 429, ...more);
}

// Addresses tracked at once: bounds memory whatever the number of clients (the oldest go first).
const MAX_TRACKED_ADDRESSES = 100_000;

interface FailureLimiter {
  /** Seconds until the address may try again, or 0 if it may now. */
  blockedFor(address: string, at: number): Promise<number>;
  fail(address: string, at: number): Promise<void>;
}

/** Fixed-window count of failed authentications per client address, in this process. */
function createFailureLimiter({ max, windowMs }: { max: number; windowMs: number }): FailureLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async blockedFor(address, at) {
      const window = windows.get(address);
      if (window === undefined) return 0;
      if (at >= window.resetAt) {
        windows.delete(address);
        return 0;
      }
      return window.count >= max ? Math.ceil((window.resetAt - at) / 1000) : 0;
    },
    async fail(address, at) {
      let window = windows.get(address);
      if (window === undefined || at >= window.resetAt) {
        windows.delete(address);
        if (windows.size >= MAX_TRACKED_ADDRESSES) windows.delete(windows.keys().next().value!);
        window = { count: 0, resetAt: at + windowMs };
        windows.set(address, window);
      }
      window.count += 1;
    },
  };
}

// The window starts with the first failure and expires with its key: Redis bounds memory.
const COUNT_FAILURE = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * The same fixed window counted in Redis, so every process sees every failure. Its windows run on
 * Redis's clock, not the injected one. When Redis does not answer, the limit fails open (a warning
 * is logged) rather than refusing every management request.
 */
function createRedisFailureLimiter(
  { redis, warn }: SharedRedis,
  prefix: string,
  { max, windowMs }: { max: number; windowMs: number },
): FailureLimiter {
  const keyOf = (address: string) => `${prefix}auth-failures:${address}`;
  return {
    async blockedFor(address) {
      try {
        const [[, count], [, ttl]] = (await redis.multi().get(keyOf(address)).pttl(keyOf(address)).exec()) as [
          [unknown, string | null],
          [unknown, number],
        ];
        return Number(count ?? 0) >= max && ttl > 0 ? Math.ceil(ttl / 1000) : 0;
      } catch (err) {
        warn(err, 'Redis unavailable: failed-authentication limit not enforced');
        return 0;
      }
    },
    async fail(address) {
      try {
        await redis.eval(COUNT_FAILURE, 1, keyOf(address), windowMs);
      } catch (err) {
        warn(err, 'Redis unavailable: failed authentication not counted');
      }
    },
  };
}

/**
 * Route options for a management operation: the roles it needs (checked by installAuth), its
 * OpenAPI metadata, and the 401/403 problems plus the listed error statuses.
 */
export function managementRoute<const R extends readonly Role[]>(roles: R, tag: string) {
  return <S extends { response: object; body?: unknown }, const E extends number[]>(
    operationId: string,
    summary: string,
    schema: S,
    errors: E,
    headers?: HeaderDeclaration,
  ) => ({
    config: { roles },
    schema: {
      ...schema,
      operationId,
      summary,
      tags: [tag],
      ...requiresRoles(roles),
      // A body may be too large (413) or not JSON (415) on any operation that takes one.
      response: { ...authProblems(...errors, ...(schema.body ? ([413, 415] as const) : [])), ...schema.response },
      // installAuth sends no-store on every management response, and a challenge with every 401.
      ...responseHeaders({ '*': NO_STORE, 401: WWW_AUTHENTICATE, 429: AUTH_RETRY_AFTER }, headers),
    },
  });
}

/** The route's principal; only called from routes that declare roles. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf called on a route without roles');
  return request.principal;
}

export function installAuth(
  app: FastifyInstance,
  {
    db,
    now,
    failureLimit,
    redis,
  }: {
    db: DatabaseHandles;
    now: () => Date;
    failureLimit: { max: number; windowMs: number };
    /** With Redis, failures count across processes (keys under `prefix`); without it, per process. */
    redis?: { shared: SharedRedis; prefix: string };
  },
): void {
  const failures = redis
    ? createRedisFailureLimiter(redis.shared, redis.prefix, failureLimit)
    : createFailureLimiter(failureLimit);
  // onRequest: a request without the right key is refused before its body is even parsed.
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    // Management answers are private to the key holder: no shared cache may keep them.
    reply.header('cache-control', 'no-store');
    // Guessing keys costs an address its access for a while, valid key or not, so guesses learn nothing.
    const address = clientAddress(request);
    const attemptAt = now().getTime();
    const wait = await failures.blockedFor(address, attemptAt);
    if (wait > 0) {
      throw new AppError({
        status: 429,
        code: 'rate_limited',
        title: 'Too Many Requests',
        detail: `Too many failed authentications from your address; retry in ${wait} seconds.`,
        headers: { 'retry-after': String(wait) },
      });
    }
    const refuse = async (error: AppError) => {
      await failures.fail(address, attemptAt);
      return error;
    };
    const header = request.headers.authorization;
    if (!header) throw await refuse(unauthorized('Send an API key as "Authorization: Bearer <key>".'));
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
    if (!match?.[1])
      throw await refuse(unauthorized('The Authorization header must be "Bearer <key>".', 'invalid_token'));
    const key = await resolveKey({ db: db.read, token: match[1] });
    if (!key) throw await refuse(unauthorized('The API key is unknown or revoked.', 'invalid_token'));
    if (!roles.includes(key.role)) {
      throw new AppError({
        status: 403,
        code: 'forbidden',
        title: 'Forbidden',
        detail: `This operation needs role ${roles.join(' or ')}; the key has role ${key.role}.`,
      });
    }
    request.principal = { keyId: key.id, name: key.name, role: key.role };
    const at = now();
    const last = key.lastUsedAt ? Date.parse(key.lastUsedAt) : 0;
    if (at.getTime() - last >= TOUCH_INTERVAL_MS) {
      // Bookkeeping only: a failure here must not fail the request it describes.
      await db
        .withTransaction((tx) => touchKey({ db: tx, id: key.id, at: at.toISOString() }), { touchesContent: false })
        .catch((error: unknown) => request.log.warn({ err: error }, 'could not record API key use'));
    }
  };
  // Attached to management routes only: public routes pay nothing for it.
  app.addHook('onRoute', (route) => {
    if (!route.config?.roles) return;
    const existing =
      route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [authenticate, ...existing];
  });
}
