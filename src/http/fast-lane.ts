import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { JSON_CONTENT_TYPE, type PublicCache } from './caching.js';

interface ServerTimeouts {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
}

/** Headers every public response carries besides its validators (the CORS policy of app.ts). */
export type FixedHeaders = Record<string, string>;

/**
 * A public GET whose answer is already in memory (a 304, or cached bytes) is written straight to
 * the socket, with exactly the headers the Fastify route would send: routing, hooks and the reply
 * object are for requests that need work. Everything else, and every miss, goes to Fastify.
 */
export function fastLaneServerFactory(cache: PublicCache, fixed: FixedHeaders) {
  return (handler: RequestListener, fastifyOptions: Record<string, unknown>): Server => {
    const options = fastifyOptions as unknown as ServerTimeouts;
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const url = request.url ?? '';
      if (request.method !== 'GET' || !url.startsWith('/v1/') || url.startsWith('/v1/admin'))
        return handler(request, response);
      const ifNoneMatch = request.headers['if-none-match'];
      cache.resolve(url, typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined).then(
        (resolved) => {
          // Only URLs a public route has answered have an entry; the rest go through Fastify.
          if (!resolved.notModified && !resolved.hit) return handler(request, response);
          if (resolved.notModified && !cache.knows(resolved.key)) return handler(request, response);
          const headers: Record<string, string> = {
            ...fixed,
            etag: resolved.etag,
            'cache-control': resolved.cacheControl,
          };
          if (resolved.notModified) {
            response.writeHead(304, headers).end();
            return;
          }
          const hit = resolved.hit!;
          headers['content-type'] = hit.contentType ?? JSON_CONTENT_TYPE;
          if (hit.surrogateKey) headers['surrogate-key'] = hit.surrogateKey;
          headers['content-length'] = String(Buffer.byteLength(hit.body));
          response.writeHead(200, headers).end(hit.body);
        },
        () => handler(request, response),
      );
    });
    // Fastify applies these only to servers it creates itself.
    server.requestTimeout = options.requestTimeout;
    server.keepAliveTimeout = options.keepAliveTimeout;
    server.setTimeout(options.connectionTimeout);
    return server;
  };
}
