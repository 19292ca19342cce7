import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeAfterTest } from './cleanup.js';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers a request with; by default 200 "ok". */
export type Responder = (request: Received, response: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that records every request (a webhook receiver or a cache). */
export async function startReceiver(initial?: Responder) {
  const received: Received[] = [];
  let respond: Responder = initial ?? ((_request, response) => response.end('ok'));
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      respond(request, res);
      for (const w of waiters.filter((w) => received.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  closeAfterTest(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(next: Responder) {
      respond = next;
    },
    /** Resolves once `count` requests in all have arrived (a latch, not a sleep); rejects after `timeoutMs`. */
    waitFor(count: number, timeoutMs = 30_000): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const got = received.map((r) => `${r.method} ${r.url} ${r.body.slice(0, 80)}`).join('\n  ');
          reject(new Error(`expected ${count} requests, got ${received.length}:\n  ${got}`));
        }, timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}
