import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The moderation queue at scale (`npm run bench -- --queue`): one moderator paging through
 * `GET /v1/admin/comments` with every filter, one request at a time (what a console does), each
 * answer carrying `meta.counts`. Latency is measured by the client, request sent to body read.
 */

export interface QueueRow {
  scenario: string;
  url: string;
  median: number;
  p99: number;
  rows: number;
  counts: string;
}

interface QueueBody {
  data: { id: number; createdAt: string }[];
  meta: { nextCursor: string | null; counts: Record<string, number>; countsExact: boolean; maxId: number };
}

const FILTER_QUERIES = {
  // The article with the most comments (the skewed seed gives it ~2% of them at 100k articles).
  busiest: 'select article_id as v from comments group by article_id order by count(*) desc, article_id limit 1',
  typical: `select article_id as v from (select article_id, count(*) as n from comments group by article_id) as per
     order by n, article_id limit 1 offset (select count(distinct article_id) / 2 from comments)`,
  middle: 'select created_at as v from comments order by created_at limit 1 offset (select count(*) / 2 from comments)',
  email: "select author_email as v from comments where status = 'pending' order by id desc limit 1",
  rareWord: "select id as v from comments where status = 'pending' order by id limit 1 offset 5000",
} as const;

type Filters = Record<keyof typeof FILTER_QUERIES, string | number>;

/** Filters a moderator really uses, chosen from the database (a SQLite file or a PostgreSQL URL) so each hits real rows. */
async function pickFilters(database: string): Promise<Filters> {
  const picked: Partial<Filters> = {};
  if (database.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    for (const [name, sql] of Object.entries(FILTER_QUERIES))
      picked[name as keyof Filters] = (await client.query(sql)).rows[0].v;
    await client.end();
  } else {
    const db = new Database(database, { readonly: true });
    for (const [name, sql] of Object.entries(FILTER_QUERIES))
      picked[name as keyof Filters] = (db.prepare(sql).get() as { v: string | number }).v;
    db.close();
  }
  return picked as Filters;
}

export async function queueScenarios(database: string): Promise<{ scenario: string; url: string; pages?: number }[]> {
  const f = await pickFilters(database);
  const q = (params: Record<string, string | number>) =>
    `/v1/admin/comments?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`;
  return [
    { scenario: 'pending, oldest first', url: q({ status: 'pending' }) },
    { scenario: 'pending, newest first', url: q({ status: 'pending', order: 'newest' }) },
    { scenario: 'pending, pages 1–50 by cursor', url: q({ status: 'pending' }), pages: 50 },
    { scenario: 'spam, newest first', url: q({ status: 'spam', order: 'newest' }) },
    { scenario: 'every status, newest first', url: q({ order: 'newest' }) },
    { scenario: 'busiest article (~2% of comments)', url: q({ articleId: f.busiest }) },
    {
      scenario: 'busiest article, pending, newest',
      url: q({ articleId: f.busiest, status: 'pending', order: 'newest' }),
    },
    { scenario: 'typical article, pending', url: q({ articleId: f.typical, status: 'pending' }) },
    { scenario: 'date range: pending before the median date', url: q({ status: 'pending', createdBefore: f.middle }) },
    {
      scenario: 'date range: every status before the median date, newest',
      url: q({ createdBefore: f.middle, order: 'newest' }),
    },
    { scenario: 'q: an author name (1 in 16 comments)', url: q({ q: 'mira' }) },
    { scenario: 'q: an author name, pending, newest', url: q({ q: 'mira', status: 'pending', order: 'newest' }) },
    { scenario: 'q: a phrase (1 in 6 comments), spam', url: q({ q: 'long drives', status: 'spam' }) },
    { scenario: 'q: a common word (1 in 3 comments)', url: q({ q: 'the' }) },
    { scenario: 'q: a common word, pending, newest', url: q({ q: 'the', status: 'pending', order: 'newest' }) },
    { scenario: 'q: a one-letter prefix (most comments), pending', url: q({ q: 't', status: 'pending' }) },
    { scenario: 'q: a rare word (one comment)', url: q({ q: String(f.rareWord) }) },
    { scenario: 'q: an e-mail', url: q({ q: f.email }) },
    { scenario: 'q + article + pending', url: q({ q: 'mira', articleId: f.busiest, status: 'pending' }) },
  ];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/** `requests` sequential requests after a warm-up; `pages` walks the cursor and starts over. */
export async function measureQueue(
  base: string,
  key: string,
  scenario: { scenario: string; url: string; pages?: number },
  requests: number,
): Promise<QueueRow> {
  const headers = { authorization: `Bearer ${key}` };
  const times: number[] = [];
  let cursor: string | null = null;
  let page = 0;
  let last: QueueBody | undefined;
  for (let i = -Math.ceil(requests / 10); i < requests; i += 1) {
    const url: string = cursor ? `${scenario.url}&cursor=${cursor}` : scenario.url;
    const started = performance.now();
    const res = await fetch(`${base}${url}`, { headers });
    const body = (await res.json()) as QueueBody;
    const elapsed = performance.now() - started;
    if (res.status !== 200 || !body.meta?.counts) throw new Error(`${url} answered ${res.status}`);
    if (i >= 0) times.push(elapsed);
    last = body;
    page += 1;
    cursor = scenario.pages && page < scenario.pages ? body.meta.nextCursor : null;
    if (!cursor) page = 0;
  }
  times.sort((a, b) => a - b);
  const { counts, countsExact } = last!.meta;
  // A lower bound (a text filter past its count limit) shows as "N+", as the console does.
  const plus = countsExact ? '' : '+';
  return {
    scenario: scenario.scenario,
    url: scenario.url,
    median: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    rows: last!.data.length,
    counts: [counts.pending, counts.approved, counts.rejected, counts.spam].map((n) => `${n}${plus}`).join(' / '),
  };
}

export function formatQueueTable(rows: QueueRow[]): string {
  const lines = [
    '| scenario | median ms | p99 ms | target | rows | counts (pending / approved / rejected / spam) |',
    '| --- | ---: | ---: | --- | ---: | --- |',
  ];
  for (const r of rows) {
    const met = r.median <= 20 && r.p99 <= 50 ? '✓' : '✗';
    lines.push(
      `| ${r.scenario} | ${r.median.toFixed(1)} | ${r.p99.toFixed(1)} | ${met} ≤ 20 / ≤ 50 | ${r.rows} | ${r.counts} |`,
    );
  }
  return lines.join('\n');
}
