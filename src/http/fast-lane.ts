import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
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
    boundNewConnectionsWhileClosing(server);
    return server;
  };
}

/** How long a connection that has not sent its first request stays open once the server closes. */
export const CLOSING_FIRST_REQUEST_GRACE_MS = 2000;

/**
 * On close, Node destroys the keep-alive connections idle between requests (`closeIdleConnections`, called by
 * Fastify and by `server.close()`), but leaves an accepted connection that has not sent its first request
 * open, and stops the timer that would expire it: a client that connects and sends nothing (a preconnect, a
 * TCP check) held shutdown until the 10 s forced exit. Such a connection now gets a short grace, in which a
 * request on its way is read and answered (the 503 problem, `Connection: close`), and is then destroyed.
 */
function boundNewConnectionsWhileClosing(server: Server): void {
  const open = new Set<Socket>();
  const served = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (request: IncomingMessage) => served.add(request.socket));
  const closeIdle = server.closeIdleConnections.bind(server);
  let grace: NodeJS.Timeout | undefined;
  server.closeIdleConnections = () => {
    closeIdle();
    grace ??= setTimeout(() => {
      for (const socket of open) if (!served.has(socket)) socket.destroy();
      // Keep-alive connections that went idle since (a fast-lane answer that raced the close).
      closeIdle();
    }, CLOSING_FIRST_REQUEST_GRACE_MS);
  };
  server.once('close', () => clearTimeout(grace));
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
