import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from './errors.js';

/** The checkout root, from src/http (tsx) or dist/src/http (built). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('console: no package.json above the server module');
    dir = up;
  }
  return dir;
}

// Same-origin everything: the page, its script, its style and every API call; nothing inline.
export const CONSOLE_CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const ASSETS: Record<string, { path: string[]; type: string }> = {
  '': { path: ['console', 'index.html'], type: 'text/html; charset=utf-8' },
  'console.css': { path: ['console', 'console.css'], type: 'text/css; charset=utf-8' },
  'app.js': { path: ['dist', 'console', 'app.js'], type: 'text/javascript; charset=utf-8' },
  // The typed fetch client, straight from node_modules: no CDN, works offline.
  'openapi-fetch.js': {
    path: ['node_modules', 'openapi-fetch', 'dist', 'index.mjs'],
    type: 'text/javascript; charset=utf-8',
  },
};

/** The moderation console at /console: static files with a strict CSP; it talks only to /v1/admin. */
export const consoleRoutes: FastifyPluginAsync = async (app) => {
  const root = projectRoot();
  const send = async (reply: FastifyReply, name: string) => {
    const asset = ASSETS[name];
    if (!asset) throw new AppError({ status: 404, code: 'not_found', title: 'Not Found', detail: 'No such file.' });
    const body = await readFile(join(root, ...asset.path)).catch(() => {
      throw new AppError({
        status: 503,
        code: 'console_not_built',
        title: 'Service Unavailable',
        detail: 'The console is not built: run `npm run build`.',
      });
    });
    return reply
      .header('content-type', asset.type)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(body);
  };
  app.get('/console', { schema: { hide: true } }, (_request, reply) => send(reply, ''));
  app.get<{ Params: { file: string } }>('/console/:file', { schema: { hide: true } }, (request, reply) =>
    send(reply, request.params.file),
  );
};
