import { connect } from 'node:net';
import { createTestApp } from './app.js';

/** A fresh test app listening on 127.0.0.1 (a random port): for what only a real socket shows. */
export async function serveTestApp(options: Parameters<typeof createTestApp>[0] = {}) {
  const ctx = await createTestApp(options);
  const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...ctx, base };
}

/** Writes raw bytes on a fresh connection; resolves with everything received once the server closes it. */
export function rawExchange(base: string, data: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(Number(port), hostname, () => socket.write(data));
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

/** The JSON body of a raw HTTP/1.1 response. */
export function rawBody(received: string): unknown {
  return JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4));
}
