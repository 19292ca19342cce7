import Database from 'better-sqlite3';

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
  meta: { nextCursor: string | null; counts: Record<string, number>; maxId: number };
}

/** Filters a moderator really uses, chosen from the database so each hits real rows. */
function pickFilters(database: string) {
  const db = new Database(database, { readonly: true });
  const one = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as T;
  // The article with the most comments (the skewed seed gives it ~2% of them) and a typical one.
  const busiest = one<{ id: number }>(
    'select article_id as id from comments group by article_id order by count(*) desc limit 1',
  ).id;
  const typical = one<{ id: number }>(
    `select article_id as id from (select article_id, count(*) n from comments group by article_id)
     order by n limit 1 offset (select count(distinct article_id) / 2 from comments)`,
  ).id;
  const middle = one<{ at: string }>(
    'select created_at as at from comments order by created_at limit 1 offset (select count(*) / 2 from comments)',
  ).at;
  const email = one<{ email: string }>(
    "select author_email as email from comments where status = 'pending' order by id desc limit 1",
  ).email;
  const rareWord = one<{ id: number }>(
    "select id from comments where status = 'pending' order by id limit 1 offset 5000",
  ).id;
  db.close();
  return { busiest, typical, middle, email, rareWord };
}

export function queueScenarios(database: string): { scenario: string; url: string; pages?: number }[] {
  const f = pickFilters(database);
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
  const counts = last!.meta.counts;
  return {
    scenario: scenario.scenario,
    url: scenario.url,
    median: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    rows: last!.data.length,
    counts: `${counts.pending} / ${counts.approved} / ${counts.rejected} / ${counts.spam}`,
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
