import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Recording } from './bare-server.js';
import { formatQueueTable, measureQueue, type QueueRow, queueScenarios } from './queue.js';
import { freePort, ROOT, spawnQuire } from './quire-server.js';

/**
 * `npm run bench`: Quire in production mode against a bare Fastify process replaying Quire's own
 * bytes, loaded alternately by autocannon from a separate process, on two database sizes.
 */
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '50' },
    'large-articles': { type: 'string', default: '100000' },
    'large-comments': { type: 'string', default: '1000000' },
    'data-dir': { type: 'string' },
    'skip-large': { type: 'boolean', default: false },
    // The moderation queue at 100k articles / 1M comments instead of the public scenarios.
    queue: { type: 'boolean', default: false },
    requests: { type: 'string', default: '200' },
    // With --queue: measure a PostgreSQL database seeded beforehand instead of the SQLite file.
    'database-url': { type: 'string' },
    // Comma-separated words: only the scenarios whose name holds one of them (and no crash test).
    only: { type: 'string' },
    // The public scenarios on this PostgreSQL database too (emptied and seeded alike), side by side.
    postgres: { type: 'string' },
    // Quire's LOG_LEVEL; at info (production's default) every request is logged, to a pipe this process drains.
    'log-level': { type: 'string', default: 'warn' },
  },
});

const RUNS = Number(flags.runs ?? (flags.quick ? 1 : 3));
const DURATION = Number(flags.duration ?? (flags.quick ? 2 : 5));
const CONNECTIONS = Number(flags.connections);
const CACHE_BYTES = 64 * 1024 * 1024;
const SAMPLE_SLUG = 'sciatica-in-runners';
const LOG_LEVEL = flags['log-level'];
const children = new Set<ChildProcess>();

// A benchmark never outlives itself: every child dies with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

const log = (line: string) => process.stderr.write(`${line}\n`);

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}

interface Server {
  url: string;
  pid: number;
  startupMs: number;
  process: ChildProcess;
}

async function waitFor(url: string, started: number, child: ChildProcess): Promise<number> {
  while (performance.now() - started < 20_000) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} never answered`);
}

async function startQuire(database: string, cacheBytes: number): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  const logging = LOG_LEVEL !== 'warn';
  const child = spawnQuire(
    port,
    database,
    {
      // By default no per-request log lines: access logs belong to the proxy in front.
      LOG_LEVEL,
      RESPONSE_CACHE_BYTES: String(cacheBytes),
      // Feeds link to the website; the bench has none, so any address does.
      SITE_URL: 'https://bench.example',
      // Two servers per engine on a PostgreSQL server shared with others: small pools.
      ...(isPostgres(database) ? { DATABASE_POOL_SIZE: '8' } : {}),
      // Bench-only: let the submission scenario measure the write path, not the limiter.
      COMMENT_RATE_LIMIT_MAX: '1000000000',
      COMMENT_MIN_SUBMIT_SECONDS: '0',
    },
    logging ? 'pipe' : 'ignore',
  );
  children.add(child);
  // Read like a log collector would read it, so a full pipe never stalls the server.
  child.stdout?.resume();
  const url = `http://127.0.0.1:${port}`;
  const startupMs = await waitFor(`${url}/readyz`, started, child);
  return { url, pid: child.pid!, startupMs, process: child };
}

async function startBare(recordings: Recording[]): Promise<Server> {
  const port = await freePort();
  const file = join(tmpdir(), `quire-bare-${process.pid}-${port}.json`);
  writeFileSync(file, JSON.stringify(recordings));
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts', String(port), file], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  children.add(child);
  const url = `http://127.0.0.1:${port}`;
  // Any answer will do (a recorded 404 or 304 too), but a bare server that did not start fails the bench.
  await waitFor(`${url}${recordings[0]!.url}`, started, child).catch(() => undefined);
  if (child.exitCode !== null) throw new Error(`the bare server exited with ${child.exitCode}`);
  return { url, pid: child.pid!, startupMs: 0, process: child };
}

function stop(server: Server): void {
  server.process.kill('SIGKILL');
  children.delete(server.process);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const HOP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

async function record(base: string, request: Request): Promise<Recording> {
  const res = await fetch(`${base}${request.url}`, {
    method: request.method ?? 'GET',
    headers: request.headers ?? {},
    body: request.body,
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!HOP_HEADERS.has(name)) headers[name] = value;
  });
  return {
    method: request.method ?? 'GET',
    url: request.url,
    ...(request.headers?.['if-none-match'] ? { ifNoneMatch: request.headers['if-none-match'] } : {}),
    status: res.status,
    headers,
    body: await res.text(),
  };
}

interface Request {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  bodyTemplate?: string;
}

interface LoadResult {
  rps: number;
  okPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function load(base: string, request: Request): Promise<LoadResult> {
  const options = {
    url: `${base}${request.url}`,
    method: request.method ?? 'GET',
    headers: request.headers,
    bodyTemplate: request.bodyTemplate,
    connections: CONNECTIONS,
    duration: DURATION,
  };
  return JSON.parse(
    await run(process.execPath, ['--import', 'tsx', 'bench/load.ts', JSON.stringify(options)]),
  ) as LoadResult;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Issue 12's relative targets, each a ratio of two requests to one server: a filtered list ÷ the
 * unfiltered one (cache off, first and deep page), format=html ÷ Markdown (cache on).
 */
interface Comparison {
  name: string;
  cache: 'on' | 'off';
  /** The reference, and the request measured against it. */
  base: Request;
  compared: Request;
}

interface PairRow {
  engine: string;
  size: string;
  name: string;
  base: number;
  compared: number;
  /** Median of the per-round ratios, and their lowest and highest. */
  ratio: number;
  low: number;
  high: number;
}

const PAIR_TARGET = 0.9;
// Rounds of a paired comparison: each round runs both requests back to back.
const PAIRED_RUNS = Math.max(5, 2 * RUNS + 1);

/**
 * Each round loads the two requests one right after the other, in alternating order, and keeps
 * their ratio: this machine's speed drifts over seconds, and rates measured minutes apart (as
 * the scenario table's are) would compare the drift, not the requests.
 */
async function pairedRatio(
  url: string,
  comparison: Comparison,
  where: { engine: string; size: string },
): Promise<PairRow> {
  const { base, compared } = comparison;
  const baseRates: number[] = [];
  const comparedRates: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < PAIRED_RUNS; i += 1) {
    const baseFirst = i % 2 === 0;
    const first = (await load(url, baseFirst ? base : compared)).rps;
    const second = (await load(url, baseFirst ? compared : base)).rps;
    const [b, c] = baseFirst ? [first, second] : [second, first];
    baseRates.push(b);
    comparedRates.push(c);
    ratios.push(c / b);
  }
  const row = {
    ...where,
    name: comparison.name,
    base: median(baseRates),
    compared: median(comparedRates),
    ratio: median(ratios),
    low: Math.min(...ratios),
    high: Math.max(...ratios),
  };
  log(
    `  ${where.engine} ${where.size} | ${row.name}: ${row.ratio.toFixed(2)} (rounds ${row.low.toFixed(2)}–${row.high.toFixed(2)})`,
  );
  return row;
}

function formatPairTable(rows: PairRow[]): string {
  const lines = [
    `Ratios of two requests to one server (issue 12's targets): ${PAIRED_RUNS} rounds each, loading both back to back (order alternating); the ratio is the median of the rounds' ratios.`,
    '',
    '| engine | size | comparison | reference req/s | compared req/s | ratio (median) | rounds, lowest–highest | target |',
    '| --- | --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.engine} | ${r.size} | ${r.name} | ${Math.round(r.base)} | ${Math.round(r.compared)} | ${r.ratio.toFixed(2)} | ${r.low.toFixed(2)}–${r.high.toFixed(2)} | ${r.ratio >= PAIR_TARGET ? '✓' : '✗'} ≥ ${PAIR_TARGET.toFixed(2)} |`,
    );
  return lines.join('\n');
}

interface Scenario {
  name: string;
  cache: 'on' | 'off';
  request: Request;
  /** Accepted writes per second instead of requests per second. */
  writes?: boolean;
  target?: number;
}

interface Row {
  engine: string;
  size: string;
  scenario: string;
  quire: number;
  bare: number;
  ratio: number;
  p50: number;
  p99: number;
  target?: number;
  checks: string;
}

const ONLY = flags.only?.split(',').map((word) => word.trim().toLowerCase());

async function walkCursor(base: string, pages: number, query = ''): Promise<string> {
  let cursor = '';
  for (let i = 0; i < pages; i += 1) {
    const url = `${base}/v1/articles?limit=20${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const body = (await (await fetch(url)).json()) as {
      meta: { nextCursor: string | null };
    };
    if (!body.meta.nextCursor) throw new Error(`the list ends before page ${i + 1}`);
    cursor = body.meta.nextCursor;
  }
  return cursor;
}

const isPostgres = (database: string) => /^postgres(ql)?:\/\//.test(database);

const MOST_COMMENTED = `select a.slug from comments c join articles a on a.id = c.article_id
  where c.status = 'approved' and c.parent_id is null and a.status = 'published' and a.published_at <= $1
  group by c.article_id, a.slug order by count(*) desc limit 1`;

async function mostCommentedSlug(database: string): Promise<string> {
  if (isPostgres(database)) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      return (await client.query<{ slug: string }>(MOST_COMMENTED, [new Date()])).rows[0]!.slug;
    } finally {
      await client.end();
    }
  }
  const db = new Database(database, { readonly: true });
  const row = db.prepare(MOST_COMMENTED.replace('$1', '?')).get(new Date().toISOString()) as { slug: string };
  db.close();
  return row.slug;
}

/** Empties the PostgreSQL database and seeds it as the SQLite one (same counts, same seed). */
async function buildPostgres(url: string, articles: number, comments: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('drop schema if exists drizzle cascade; drop schema public cascade; create schema public');
  } finally {
    await client.end();
  }
  const env = { DATABASE_URL: url, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4' };
  await run(process.execPath, ['dist/src/cli.js', 'seed'], env);
  const started = performance.now();
  await run(
    process.execPath,
    ['dist/src/cli.js', 'seed', '--articles', String(articles), '--comments', String(comments), '--seed', '1'],
    env,
  );
  return (performance.now() - started) / 1000;
}

async function measureSize(
  size: string,
  database: string,
): Promise<{ rows: Row[]; pairs: PairRow[]; startupMs: number; rssMb: number }> {
  const engine = isPostgres(database) ? 'PostgreSQL' : 'SQLite';
  const on = await startQuire(database, CACHE_BYTES);
  const off = await startQuire(database, 0);
  const commentsSlug = await mostCommentedSlug(database);
  const deepCursor = await walkCursor(on.url, 50);
  const etag = (await fetch(`${on.url}/v1/articles/${SAMPLE_SLUG}`)).headers.get('etag')!;
  // The tag with the most published articles, and a list filtered by it in title order.
  const tags = (await (await fetch(`${on.url}/v1/tags?limit=100`)).json()) as {
    data: { slug: string; articleCount: number }[];
  };
  const tag = [...tags.data].sort((a, b) => b.articleCount - a.articleCount)[0]!;
  const filtered = `&tag=${tag.slug}&sort=title`;
  const filteredDeep = await walkCursor(on.url, Math.min(50, Math.floor(tag.articleCount / 20) - 1), filtered);
  const allScenarios: Scenario[] = [
    { name: 'search, common word (pain), cache off', cache: 'off', request: { url: '/v1/articles?q=pain' } },
    { name: 'search, common word (pain), cache on', cache: 'on', request: { url: '/v1/articles?q=pain' } },
    { name: 'search, rare word (piriformis), cache off', cache: 'off', request: { url: '/v1/articles?q=piriformis' } },
    {
      name: `filtered list (tag of ${tag.articleCount} + sort=title), first page, cache off`,
      cache: 'off',
      request: { url: `/v1/articles?limit=20${filtered}` },
    },
    {
      name: 'filtered list (tag + sort=title), deep page, cache off',
      cache: 'off',
      request: { url: `/v1/articles?limit=20${filtered}&cursor=${filteredDeep}` },
    },
    {
      name: 'filtered list (tag + sort=title), first page, cache on',
      cache: 'on',
      request: { url: `/v1/articles?limit=20${filtered}` },
    },
    { name: 'article detail, cache on', cache: 'on', request: { url: `/v1/articles/${SAMPLE_SLUG}` }, target: 0.7 },
    { name: 'article detail, cache off', cache: 'off', request: { url: `/v1/articles/${SAMPLE_SLUG}` }, target: 0.25 },
    {
      name: 'article detail, 304',
      cache: 'on',
      request: { url: `/v1/articles/${SAMPLE_SLUG}`, headers: { 'if-none-match': etag } },
      target: 0.85,
    },
    { name: 'list, first page, cache off', cache: 'off', request: { url: '/v1/articles' }, target: 0.3 },
    {
      name: 'list, 1,000 deep, cache off',
      cache: 'off',
      request: { url: `/v1/articles?cursor=${deepCursor}` },
      target: 0.3,
    },
    { name: 'list, first page, cache on', cache: 'on', request: { url: '/v1/articles' }, target: 0.6 },
    {
      name: 'list, 1,000 deep, cache on',
      cache: 'on',
      request: { url: `/v1/articles?cursor=${deepCursor}` },
      target: 0.6,
    },
    {
      name: 'article detail, format=html, cache on',
      cache: 'on',
      request: { url: `/v1/articles/${SAMPLE_SLUG}?format=html` },
      target: 0.7,
    },
    {
      name: 'article detail, format=html, cache off',
      cache: 'off',
      request: { url: `/v1/articles/${SAMPLE_SLUG}?format=html` },
    },
    { name: 'list, first page, format=html, cache off', cache: 'off', request: { url: '/v1/articles?format=html' } },
    { name: 'RSS feed, cache on', cache: 'on', request: { url: '/v1/feeds/rss.xml' } },
    { name: 'RSS feed, cache off', cache: 'off', request: { url: '/v1/feeds/rss.xml' } },
    {
      name: 'comments, first page, cache off',
      cache: 'off',
      request: { url: `/v1/articles/${commentsSlug}/comments` },
    },
    { name: 'comments, first page, cache on', cache: 'on', request: { url: `/v1/articles/${commentsSlug}/comments` } },
    {
      name: 'comment submission (accepted/s)',
      cache: 'on',
      writes: true,
      request: {
        method: 'POST',
        url: `/v1/articles/${SAMPLE_SLUG}/comments`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          authorName: 'Bench',
          authorEmail: 'bench@example.com',
          body: 'Recorded once for the bare server',
        }),
        bodyTemplate: JSON.stringify({
          authorName: 'Bench',
          authorEmail: 'bench@example.com',
          body: 'Benchmark comment number {n}, thanks for the article',
        }),
      },
    },
  ];
  const scenarios = ONLY
    ? allScenarios.filter((s) => ONLY.some((word) => s.name.toLowerCase().includes(word)))
    : allScenarios;

  const recordings = [];
  for (const scenario of scenarios) {
    const base = scenario.cache === 'on' ? on.url : off.url;
    await record(base, scenario.request); // warms the response cache
    recordings.push(await record(base, scenario.request));
  }
  // None when --only picked the paired comparison alone.
  const bare = scenarios.length ? await startBare(recordings) : null;
  const rows: Row[] = [];
  for (const scenario of scenarios) {
    const quire = scenario.cache === 'on' ? on : off;
    const quireRuns: LoadResult[] = [];
    const bareRuns: LoadResult[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      quireRuns.push(await load(quire.url, scenario.request));
      bareRuns.push(await load(bare!.url, { ...scenario.request, bodyTemplate: undefined } as Request));
    }
    const rate = (r: LoadResult) => (scenario.writes ? r.okPerSecond : r.rps);
    const quireRate = median(quireRuns.map(rate));
    const bareRate = median(bareRuns.map((r) => r.rps));
    const problems = quireRuns.reduce((n, r) => n + r.errors + (scenario.writes ? r.non2xx : 0), 0);
    const row: Row = {
      engine,
      size,
      scenario: scenario.name,
      quire: quireRate,
      bare: bareRate,
      ratio: quireRate / bareRate,
      p50: median(quireRuns.map((r) => r.p50)),
      p99: median(quireRuns.map((r) => r.p99)),
      ...(scenario.target !== undefined ? { target: scenario.target } : {}),
      checks: problems > 0 ? `${problems} errors` : '',
    };
    rows.push(row);
    log(
      `  ${engine} ${size} | ${row.scenario}: ${Math.round(row.quire)}/s vs bare ${Math.round(row.bare)}/s (${row.ratio.toFixed(2)}), p50 ${row.p50} ms, p99 ${row.p99} ms ${row.checks}`,
    );
  }
  const comparisons: Comparison[] = [
    {
      name: 'filtered (tag + sort=title) ÷ unfiltered list, first page, cache off',
      cache: 'off',
      base: { url: '/v1/articles?limit=20' },
      compared: { url: `/v1/articles?limit=20${filtered}` },
    },
    {
      name: 'filtered (tag + sort=title) ÷ unfiltered list, deep page, cache off',
      cache: 'off',
      base: { url: `/v1/articles?limit=20&cursor=${deepCursor}` },
      compared: { url: `/v1/articles?limit=20${filtered}&cursor=${filteredDeep}` },
    },
    {
      name: 'format=html ÷ Markdown article detail, cache on',
      cache: 'on',
      base: { url: `/v1/articles/${SAMPLE_SLUG}` },
      compared: { url: `/v1/articles/${SAMPLE_SLUG}?format=html` },
    },
  ];
  const pairs: PairRow[] = [];
  for (const comparison of comparisons.filter((c) => !ONLY || ONLY.some((word) => c.name.includes(word))))
    pairs.push(await pairedRatio((comparison.cache === 'on' ? on : off).url, comparison, { engine, size }));
  const rss = rssMb(on.pid);
  const startupMs = Math.max(on.startupMs, off.startupMs);
  stop(on);
  stop(off);
  if (bare) stop(bare);
  return { rows, pairs, startupMs, rssMb: rss };
}

/** kill -9 in the middle of submissions: every 202 answered must be a stored row. */
async function crashTest(database: string): Promise<string> {
  const quire = await startQuire(database, CACHE_BYTES);
  const acked = new Map<number, string>();
  let stopped = false;
  const worker = async (w: number) => {
    for (let n = 0; !stopped; n += 1) {
      const body = `Crash test ${w}-${n}`;
      try {
        const res = await fetch(`${quire.url}/v1/articles/${SAMPLE_SLUG}/comments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ authorName: 'Crash', authorEmail: 'crash@example.com', body }),
        });
        if (res.status === 202) acked.set(((await res.json()) as { id: number }).id, body);
      } catch {
        return; // the server is gone
      }
    }
  };
  const workers = Array.from({ length: 32 }, (_, w) => worker(w));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  quire.process.kill('SIGKILL');
  stopped = true;
  await Promise.all(workers);
  children.delete(quire.process);
  const db = new Database(database, { readonly: true });
  const find = db.prepare('select body from comments where id = ?');
  const missing = [...acked].filter(([id, body]) => (find.get(id) as { body: string } | undefined)?.body !== body);
  db.close();
  return `${acked.size} submissions answered 202 before kill -9; ${acked.size - missing.length} of them stored after restart${missing.length ? `; MISSING ${missing.length}` : ''}`;
}

async function buildDatabase(
  dir: string,
  name: string,
  articles: number,
  comments: number,
): Promise<{ path: string; seconds: number | null }> {
  const path = join(dir, `${name}.db`);
  if (existsSync(path)) return { path, seconds: null };
  const env = { DATABASE_URL: path, LOG_LEVEL: 'warn' };
  await run(process.execPath, ['dist/src/cli.js', 'seed'], env);
  const started = performance.now();
  await run(
    process.execPath,
    ['dist/src/cli.js', 'seed', '--articles', String(articles), '--comments', String(comments), '--seed', '1'],
    env,
  );
  return { path, seconds: (performance.now() - started) / 1000 };
}

/** A fresh copy: a stale -wal file left by a killed server would be replayed onto it. */
function copyDatabase(from: string, to: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${to}${suffix}`, { force: true });
  copyFileSync(from, to);
}

function formatTable(rows: Row[]): string {
  const engines = new Set(rows.map((r) => r.engine)).size > 1;
  const lines = [
    `| ${engines ? 'engine | ' : ''}size | scenario | Quire req/s | bare req/s | ratio | target | p50 ms | p99 ms |`,
    `| ${engines ? '--- | ' : ''}--- | --- | ---: | ---: | ---: | --- | ---: | ---: |`,
  ];
  for (const r of rows) {
    const target = r.target === undefined ? '' : `${r.ratio >= r.target ? '✓' : '✗'} ≥ ${r.target.toFixed(2)}`;
    lines.push(
      `| ${engines ? `${r.engine} | ` : ''}${r.size} | ${r.scenario}${r.checks ? ` (${r.checks})` : ''} | ${Math.round(r.quire)} | ${Math.round(r.bare)} | ${r.ratio.toFixed(2)} | ${target} | ${r.p50} | ${r.p99} |`,
    );
  }
  return lines.join('\n');
}

/** PostgreSQL's rate over SQLite's per scenario, with issue 8's targets where it sets one. */
const ENGINE_TARGETS: [RegExp, number][] = [
  [/^article detail, cache on$/, 0.9],
  [/^article detail, cache off$/, 0.5],
];

function formatEngineTable(rows: Row[]): string {
  const lines = [
    '| size | scenario | PostgreSQL /s | SQLite /s | PostgreSQL ÷ SQLite | target |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const p of rows.filter((r) => r.engine === 'PostgreSQL')) {
    const s = rows.find((r) => r.engine === 'SQLite' && r.size === p.size && r.scenario === p.scenario);
    if (!s) continue;
    const ratio = p.quire / s.quire;
    const goal = ENGINE_TARGETS.find(([name]) => name.test(p.scenario))?.[1];
    const target = goal === undefined ? '' : `${ratio >= goal ? '✓' : '✗'} ≥ ${goal.toFixed(2)}`;
    lines.push(
      `| ${p.size} | ${p.scenario} | ${Math.round(p.quire)} | ${Math.round(s.quire)} | ${ratio.toFixed(2)} | ${target} |`,
    );
  }
  return lines.join('\n');
}

function machineLine(): string {
  const sqlite = (new Database(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v;
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, SQLite ${sqlite}`;
}

/** `--queue`: every queue filter at the large size, one moderator's requests one after another. */
async function queueBench(dir: string): Promise<void> {
  const articles = Number(flags['large-articles']);
  const comments = Number(flags['large-comments']);
  let database = flags['database-url'];
  let seeding: number | null = null;
  if (!database) {
    log(`preparing ${articles} articles, ${comments} comments (reused from --data-dir when there) …`);
    const built = await buildDatabase(dir, `large-${articles}-${comments}`, articles, comments);
    database = join(dir, 'measured.db');
    copyDatabase(built.path, database);
    seeding = built.seconds;
  }
  const env = { DATABASE_URL: database, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4' };
  // Migrations newer than the kept database run here, before anything is timed.
  const out = await run(
    process.execPath,
    ['dist/src/cli.js', 'keys', 'create', '--role', 'moderator', '--name', 'bench'],
    env,
  );
  const key = out.trim().split('\n').at(-1)!;
  const quire = await startQuire(database, 0);
  const requests = Number(flags.requests);
  const rows: QueueRow[] = [];
  for (const scenario of await queueScenarios(database)) {
    if (ONLY && !ONLY.some((word) => scenario.scenario.toLowerCase().includes(word))) continue;
    const row = await measureQueue(quire.url, key, scenario, requests);
    rows.push(row);
    log(`  ${row.scenario}: median ${row.median.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms (${row.counts})`);
  }
  stop(quire);
  const table = formatQueueTable(rows);
  process.stdout.write(`\n${table}\n`);
  if (flags.quick) return;
  const engine = flags['database-url'] ? 'PostgreSQL' : 'SQLite';
  const command = `npm run bench -- ${process.argv
    .slice(2)
    .map((a) => (a.startsWith('postgres') ? '<url>' : a))
    .join(' ')}`;
  const section = [
    `## ${engine}`,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${command}\` on ${machineLine()}.${seeding === null ? ' The database was seeded beforehand.' : ` Seeding took ${seeding.toFixed(1)} s.`}`,
    '',
    table,
    '',
  ].join('\n');
  const file = join(ROOT, 'docs', 'benchmarks-queue.md');
  const sections = new Map<string, string>();
  if (existsSync(file))
    for (const part of readFileSync(file, 'utf8')
      .split(/^(?=## )/m)
      .slice(1))
      sections.set(part.split('\n')[0]!, part);
  sections.set(`## ${engine}`, `${section}\n`);
  const header = [
    '# Benchmark: the moderation queue',
    '',
    `\`npm run bench -- --queue\`: one moderator paging through \`GET /v1/admin/comments\` with every filter, ${requests} requests per scenario one after another (after ${Math.ceil(requests / 10)} of warm-up) over one keep-alive connection, timed by the client from sending to the last body byte; every answer carries \`meta.counts\`. Counts shown "N+" are lower bounds (a text filter matching more than 1,000 comments). Target: median ≤ 20 ms and p99 ≤ 50 ms. \`--database-url postgres://…\` measures a PostgreSQL database seeded beforehand (\`DATABASE_URL=… npm run cli -- seed --articles N --comments M\`).`,
    '',
  ].join('\n');
  writeFileSync(file, `${header}\n${[...sections.values()].join('')}`.trimEnd() + '\n');
  log('wrote docs/benchmarks-queue.md');
}

async function main(): Promise<void> {
  log('building dist/ …');
  await run('npx', ['tsc', '-p', 'tsconfig.build.json']);
  const keep = flags['data-dir'];
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'quire-bench-'));
  mkdirSync(dir, { recursive: true });
  try {
    if (flags.queue) return await queueBench(dir);
    const largeArticles = Number(flags['large-articles']);
    const largeComments = Number(flags['large-comments']);
    const sizes: { label: string; articles: number; comments: number }[] = [
      { label: 'sample + 1,100', articles: 1100, comments: 11_000 },
    ];
    if (!flags.quick && !flags['skip-large'])
      sizes.push({
        label: `${largeArticles / 1000}k / ${largeComments / 1_000_000}M`,
        articles: largeArticles,
        comments: largeComments,
      });
    const rows: Row[] = [];
    const pairs: PairRow[] = [];
    const notes: string[] = [];
    for (const size of sizes) {
      log(`preparing ${size.label} (${size.articles} articles, ${size.comments} comments) …`);
      const built = await buildDatabase(
        dir,
        size.articles === 1100 ? 'small' : `large-${size.articles}-${size.comments}`,
        size.articles,
        size.comments,
      );
      // Each measurement runs on a copy, so submissions never grow a kept database.
      const copy = join(dir, 'measured.db');
      copyDatabase(built.path, copy);
      if (built.seconds !== null)
        notes.push(
          `Seeding ${size.articles.toLocaleString('en')} articles and ${size.comments.toLocaleString('en')} comments: ${built.seconds.toFixed(1)} s.`,
        );
      log(`measuring ${size.label} …`);
      const result = await measureSize(size.label, copy);
      rows.push(...result.rows);
      pairs.push(...result.pairs);
      notes.push(
        `${size.label}${flags.postgres ? ', SQLite' : ''}: start-up (spawn to first 200 from /readyz, migrations checked) ${Math.round(result.startupMs)} ms; RSS of the cache-on process after its scenarios ${result.rssMb.toFixed(0)} MB (response cache budget ${CACHE_BYTES / 1024 / 1024} MiB).`,
      );
      if (flags.postgres) {
        log('seeding PostgreSQL alike …');
        const seconds = await buildPostgres(flags.postgres, size.articles, size.comments);
        log(`measuring ${size.label} on PostgreSQL …`);
        const pgResult = await measureSize(size.label, flags.postgres);
        rows.push(...pgResult.rows);
        pairs.push(...pgResult.pairs);
        notes.push(
          `${size.label}, PostgreSQL: seeding ${seconds.toFixed(1)} s; start-up ${Math.round(pgResult.startupMs)} ms; RSS of the cache-on process ${pgResult.rssMb.toFixed(0)} MB.`,
        );
      }
    }
    if (!ONLY) {
      const crashDb = join(dir, 'crash.db');
      copyDatabase(join(dir, 'small.db'), crashDb);
      const crash = await crashTest(crashDb);
      notes.push(`Durability: ${crash} (SQLITE_SYNCHRONOUS=NORMAL, WAL).`);
    }

    const table = [
      formatTable(rows),
      ...(flags.postgres ? [formatEngineTable(rows)] : []),
      ...(pairs.length ? [formatPairTable(pairs)] : []),
    ].join('\n\n');
    const machine = machineLine();
    const args = process.argv.slice(2).map((a) => (isPostgres(a) ? '<url>' : a));
    const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
    const report = [
      '# Benchmarks',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} with \`${command}\` on ${machine}.`,
      '',
      `Each scenario: ${RUNS} run(s) of ${DURATION} s with ${CONNECTIONS} connections (autocannon in its own process, loopback only), alternating Quire and the bare server; the table shows medians. "bare" is a Fastify process that replays Quire's exact recorded bytes for the same request from memory: the ceiling on this machine. Quire runs compiled (\`node dist/src/server.js\`), \`NODE_ENV=production\`, \`LOG_LEVEL=${LOG_LEVEL}\`; "cache on" is the default 64 MiB response cache, "cache off" is \`RESPONSE_CACHE_BYTES=0\`. The submission scenario raises the rate limit (bench-only config) and sends a different body every time; its figure is accepted (202) writes per second.`,
      '',
      table,
      '',
      ...notes.map((n) => `- ${n}`),
      '',
    ].join('\n');
    process.stdout.write(`\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
    if (!flags.quick && !ONLY) {
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), report);
      log('wrote docs/benchmarks.md');
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
