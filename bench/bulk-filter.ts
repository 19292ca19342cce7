// Bulk decision by filter under load: how long deciding every pending comment takes, and what a
// reader's submission waits meanwhile. `npx tsx bench/bulk-filter.ts [comments]` (default 200000)
// seeds 1,000 articles and that many comments; `npx tsx bench/bulk-filter.ts --from <file.db>`
// works on a copy of a database seeded before (`npm run bench -- --queue --data-dir <dir>` keeps one);
// `--from postgres://…` works on that PostgreSQL database itself (seeded before; its pending comments get decided).
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedSynthetic } from '../seeds/synthetic.js';
import { loadConfig } from '../src/config.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { buildAppFromConfig } from '../src/startup.js';

const from = process.argv[2] === '--from' ? process.argv[3] : undefined;
const postgres = from?.startsWith('postgres') === true;
const total = from ? 0 : Number(process.argv[2] ?? 200_000);
const dir = await mkdtemp(join(tmpdir(), 'quire-bulk-'));
if (from && !postgres) await copyFile(from, join(dir, 'quire.db'));
const config = loadConfig({
  DATABASE_URL: postgres ? from! : join(dir, 'quire.db'),
  LOG_LEVEL: 'silent',
  SEED_ON_EMPTY: 'false',
  COMMENT_RATE_LIMIT_MAX: '1000000',
});

function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return `${sorted.length} submissions, p50 ${at(50).toFixed(1)} ms, p99 ${at(99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}

const app = (await buildAppFromConfig(config)).app;
try {
  if (!from)
    await seedSynthetic({
      withTransaction: app.db.withTransaction,
      read: app.db.read,
      articles: 1000,
      comments: total,
      seed: 1,
    });
  const { key } = await createKey({ db: app.db, name: 'bench', role: 'moderator', now: new Date() });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const listed = (await (
    await fetch(`${base}/v1/admin/comments?status=pending&limit=1`, { headers: auth })
  ).json()) as {
    data: { articleSlug: string }[];
    meta: { counts: { pending: number }; maxId: number };
  };
  const slug = listed.data[0]!.articleSlug;

  let running = true;
  let latencies: number[] = [];
  const submitter = (async () => {
    for (let i = 0; running; i++) {
      const started = performance.now();
      const res = await fetch(`${base}/v1/articles/${slug}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          authorName: 'Bench',
          authorEmail: `b${i}@example.com`,
          body: `During the decision ${i}`,
        }),
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  // The same submissions alone first: what the decision adds is the difference.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const alone = percentiles(latencies);
  latencies = [];

  const started = performance.now();
  const res = await fetch(`${base}/v1/admin/comments/bulk`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ filter: { status: 'pending', maxId: listed.meta.maxId }, status: 'rejected' }),
  });
  const result = (await res.json()) as { changed: number };
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await submitter;
  console.log(
    `${postgres ? 'PostgreSQL' : (from ?? `${total} comments`)}, ${listed.meta.counts.pending} pending: decided ${result.changed} in ${seconds.toFixed(1)} s ` +
      `(${Math.round(result.changed / seconds)}/s)\n  alone:  ${alone}\n  during: ${percentiles(latencies)}`,
  );
} finally {
  await app.close();
  await rm(dir, { recursive: true, force: true });
}
