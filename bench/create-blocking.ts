import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { prepareDatabase } from '../src/startup.js';

/**
 * `npx tsx bench/create-blocking.ts [sections] [tips per section]`: how long the largest article
 * the schema accepts blocks the event loop while it is created (and then read back) in one request.
 */
const sections = Number(process.argv[2] ?? 100);
const tipsPerSection = Number(process.argv[3] ?? 100);
const config = loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', SEED_ON_EMPTY: 'false' });
const { db } = await prepareDatabase(config, { seed: false });
const app = await buildApp(config, { db });
const { key } = await createKey({ db: app.db, name: 'bench', role: 'editor', now: new Date() });
const payload = {
  title: 'Largest article',
  sections: Array.from({ length: sections }, (_, s) => ({
    heading: `Section ${s}`,
    tips: Array.from({ length: tipsPerSection }, (_, t) => ({ title: `T${t}`, body: 'b' })),
  })),
};
const body = JSON.stringify(payload);
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
// Warm up first (JIT, prepared statements), so the figure is the steady-state cost of one request.
for (let i = 0; i < 5; i++)
  await app.inject({
    method: 'POST',
    url: '/v1/admin/articles',
    headers,
    payload: { title: `Warm-up ${i}`, sections: [{ heading: 'H', tips: Array(20).fill({ title: 'T', body: 'b' }) }] },
  });
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
// A second witness: the longest gap between ticks of a 1 ms timer.
let last = performance.now();
let longestGap = 0;
const ticker = setInterval(() => {
  const at = performance.now();
  longestGap = Math.max(longestGap, at - last);
  last = at;
}, 1);
const started = performance.now();
const cpuBefore = process.cpuUsage();
const res = await app.inject({
  method: 'POST',
  url: '/v1/admin/articles',
  headers,
  payload: body,
});
const elapsed = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
// Let both witnesses fire once more, so a block that lasted until the response is recorded too.
await new Promise((resolve) => setTimeout(resolve, 5));
histogram.disable();
clearInterval(ticker);
console.log(
  JSON.stringify({
    sections,
    tipsPerSection,
    bodyBytes: body.length,
    status: res.statusCode,
    requestMs: Math.round(elapsed),
    // CPU time is the figure to trust on a shared machine: wall time includes other processes' turns.
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxEventLoopDelayMs: Math.round(histogram.max / 1e6),
    longestTimerGapMs: Math.round(longestGap),
  }),
);
await app.close();
