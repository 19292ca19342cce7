import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { prepareDatabase } from '../src/startup.js';

/**
 * `npx tsx bench/webhook-latency.ts [writes] [DATABASE_URL]`: from a committed write (its answer
 * received) to the webhook POST arriving at a local receiver, with one process (target: median
 * under 200 ms). Writes go one at a time, each waiting for its delivery.
 */
const writes = Number(process.argv[2] ?? 200);
const config = loadConfig({
  DATABASE_URL: process.argv[3] ?? ':memory:',
  LOG_LEVEL: 'silent',
  SEED_ON_EMPTY: 'false',
  WEBHOOK_ALLOW_PRIVATE: 'true',
});
const { db } = await prepareDatabase(config, { seed: false });
const app = await buildApp(config, { db });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const { key } = await createKey({ db: app.db, name: 'bench', role: 'admin', now: new Date() });
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

let arrived: (() => void) | undefined;
const receiver = createServer((req, res) => {
  req.resume().on('end', () => {
    res.end();
    arrived?.();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
await fetch(`${base}/v1/admin/site`, { method: 'PATCH', headers, body: JSON.stringify({ name: 'Bench' }) });
await fetch(`${base}/v1/admin/webhooks`, { method: 'POST', headers, body: JSON.stringify({ url: hookUrl }) });

const latencies: number[] = [];
for (let i = 0; i < writes; i++) {
  const delivered = new Promise<void>((resolve) => (arrived = resolve));
  const res = await fetch(`${base}/v1/admin/site`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ announcement: `Write ${i}` }),
  });
  await res.arrayBuffer();
  const committed = performance.now();
  await delivered;
  latencies.push(performance.now() - committed);
}
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
console.log(
  `${db.dialect}: ${writes} writes, commit → receiver median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`,
);
receiver.close();
await app.close();
