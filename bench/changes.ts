import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { listEventsAfter, type OutboxEventInput, outboxStart, recordEvents } from '../src/db/outbox.js';
import { encodeChangeCursor } from '../src/modules/changes/changes.service.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { prepareDatabase } from '../src/startup.js';

/**
 * `npx tsx bench/changes.ts [events] [DATABASE_URL]` (issue 11 targets):
 * - a change feed page of 100 from random positions in an outbox of `events` events (target ≤ 5 ms median);
 * - the editorial write latency with events (a published article's PATCH records article.updated)
 *   against the same PATCH on a draft (no event), alternated (target ≤ 10% added).
 */
const total = Number(process.argv[2] ?? 100_000);
const config = loadConfig({ DATABASE_URL: process.argv[3] ?? ':memory:', LOG_LEVEL: 'silent', SEED_ON_EMPTY: 'false' });
const { db } = await prepareDatabase(config, { seed: false });
const app = await buildApp(config, { db, background: false });

const at = new Date().toISOString();
for (let done = 0; done < total; done += 1000) {
  const events: OutboxEventInput[] = Array.from({ length: Math.min(1000, total - done) }, (_, i) => ({
    type: 'article.updated',
    kind: 'article',
    resourceId: done + i + 1,
    slug: `article-${done + i + 1}`,
    surrogateKeys: ['articles', `article-${done + i + 1}`, `comments-${done + i + 1}`],
  }));
  await db.withTransaction((tx) => recordEvents({ tx, events, at }));
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;
// Real positions (on PostgreSQL each batch has its own transaction id), so a page starts mid-outbox.
const positions = await listEventsAfter({ db: db.read, after: outboxStart, limit: total });
const page: number[] = [];
for (let i = 0; i < 300; i++) {
  const from = Math.floor(Math.random() * (total - 100));
  const start = performance.now();
  const res = await app.inject({
    method: 'GET',
    url: `/v1/changes?since=${encodeChangeCursor(positions[from]!)}&limit=100`,
  });
  page.push(performance.now() - start);
  if (res.statusCode !== 200 || res.json().data.length !== 100) throw new Error(`unexpected ${res.statusCode}`);
}
console.log(
  `${db.dialect}: change feed page of 100 in ${total} events: median ${median(page).toFixed(2)} ms, p99 ${p99(page).toFixed(2)} ms`,
);

const { key } = await createKey({ db, name: 'bench', role: 'editor', now: new Date() });
const headers = { authorization: `Bearer ${key}` };
const article = async () =>
  (
    await app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers,
      payload: { title: `Bench ${Math.random()}`, sections: [{ heading: 'H', tips: [{ title: 'T', body: 'B' }] }] },
    })
  ).json().id as number;
const published = await article();
const draft = await article();
await app.inject({ method: 'POST', url: `/v1/admin/articles/${published}/publish`, headers });
const timing = { published: [] as number[], draft: [] as number[] };
for (let i = 0; i < 600; i++) {
  for (const [name, id] of [
    ['published', published],
    ['draft', draft],
  ] as const) {
    const start = performance.now();
    const res = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${id}`,
      headers,
      payload: { summary: `S ${i}` },
    });
    if (res.statusCode !== 200) throw new Error(`PATCH ${res.statusCode}`);
    if (i >= 100) timing[name].push(performance.now() - start);
  }
}
const withEvents = median(timing.published);
const without = median(timing.draft);
console.log(
  `${db.dialect}: PATCH article median ${withEvents.toFixed(2)} ms with its event (published) vs ${without.toFixed(2)} ms without (draft): +${(((withEvents - without) / without) * 100).toFixed(1)}%`,
);
await app.close();
