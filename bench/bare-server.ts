import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

/**
 * The ceiling: a bare Fastify process that replays, from memory, the exact bytes Quire answered
 * for each measured request. Usage: bare-server.ts <port> <recordings.json>
 */
export interface Recording {
  method: string;
  url: string;
  ifNoneMatch?: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

const [port, file] = process.argv.slice(2);
const recordings = JSON.parse(readFileSync(file!, 'utf8')) as Recording[];
const byKey = new Map(recordings.map((r) => [`${r.method} ${r.url} ${r.ifNoneMatch ?? ''}`, r]));

const app = Fastify({ logger: false });
// Bodies are replayed untouched, whatever their type.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_request, _payload, done) => done(null));
app.all('*', (request, reply) => {
  const inm = request.headers['if-none-match'];
  const hit =
    byKey.get(`${request.method} ${request.url} ${typeof inm === 'string' ? inm : ''}`) ??
    byKey.get(`${request.method} ${request.url} `);
  if (!hit) return reply.code(404).send('not recorded');
  return reply.code(hit.status).headers(hit.headers).send(hit.body);
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.send?.('ready');
