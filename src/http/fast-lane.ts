import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { JSON_CONTENT_TYPE, type PublicCache } from './caching.js';

interface ServerTimeouts {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
}

/** Headers every public response carries besides its validators (the CORS policy of app.ts). */
export type FixedHeaders = Record<string, string>;

/** Told of every answer the fast lane writes itself, with when its request arrived (performance.now()). */
export type FastLaneObserver = (request: IncomingMessage, status: 200 | 304, startedAt: number) => void;

/**
 * A public GET whose answer is already in memory (a 304, or cached bytes) is written straight to
 * the socket, with exactly the headers the Fastify route would send: routing, hooks and the reply
 * object are for requests that need work. Everything else, and every miss, goes to Fastify.
 */
export function fastLaneServerFactory(cache: PublicCache, fixed: FixedHeaders, onAnswer?: FastLaneObserver) {
  return (handler: RequestListener, fastifyOptions: Record<string, unknown>): Server => {
    const options = fastifyOptions as unknown as ServerTimeouts;
    const server = createServer(serverOptions(options), (request: IncomingMessage, response: ServerResponse) => {
      const url = request.url ?? '';
      // Once closing (server.close() ran), Fastify answers every request with a 503 problem.
      if (request.method !== 'GET' || !url.startsWith('/v1/') || url.startsWith('/v1/admin') || !server.listening)
        return handler(request, response);
      const startedAt = performance.now();
      const ifNoneMatch = request.headers['if-none-match'];
      cache.resolve(url, typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined).then(
        (resolved) => {
          // Only representations a public route answered 200 have an entry; the rest go through Fastify.
          if (!resolved.notModified && !resolved.hit) return handler(request, response);
          const headers: Record<string, string> = {
            ...fixed,
            etag: resolved.etag,
            'cache-control': resolved.cacheControl,
          };
          if (resolved.notModified) {
            response.writeHead(304, headers).end();
            onAnswer?.(request, 304, startedAt);
            return;
          }
          const hit = resolved.hit!;
          headers['content-type'] = hit.contentType ?? JSON_CONTENT_TYPE;
          if (hit.surrogateKey) headers['surrogate-key'] = hit.surrogateKey;
          headers['content-length'] = String(Buffer.byteLength(hit.body));
          response.writeHead(200, headers).end(hit.body);
          onAnswer?.(request, 200, startedAt);
        },
        () => handler(request, response),
      );
    });
    server.setTimeout(options.connectionTimeout);
    return server;
  };
}

/**
 * Node reads the request timeout only when the server is constructed (set later, it is ignored),
 * and checks it every `connectionsCheckingInterval`: checked often enough to answer 408 on time.
 */
function serverOptions({ requestTimeout, keepAliveTimeout }: ServerTimeouts): ServerOptions {
  if (requestTimeout <= 0) return { keepAliveTimeout };
  return {
    requestTimeout,
    keepAliveTimeout,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeout: Math.min(60_000, requestTimeout),
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(requestTimeout / 4))),
  };
}
