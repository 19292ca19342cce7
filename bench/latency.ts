import { spawnQuire } from './quire-server.js';

/**
 * `npx tsx bench/latency.ts <DATABASE_URL> [tag] [product] [pages deep in the product]`: per-request latency of search and of plain,
 * filtered and sorted lists with the cache off, one request at a time (issue 12's targets are
 * latencies, which 50 concurrent connections would turn into queueing). Needs `dist/` built.
 */
const [database, tag = 's1-1-tag-3', product = 's1-1-product-3', productPages = '10'] = process.argv.slice(2);
if (!database) throw new Error('usage: npx tsx bench/latency.ts <DATABASE_URL> [tag] [product] [pages]');
const ROUNDS = 10;
// A second tag for any-of lists: the next one by number.
const tag2 = tag.replace(/\d+$/, (n) => String(Number(n) + 1));
const PER_ROUND = 20;

const port = 4900 + Math.floor(Math.random() * 90);
const base = `http://127.0.0.1:${port}`;
const server = spawnQuire(port, database, { RESPONSE_CACHE_BYTES: '0', DATABASE_POOL_SIZE: '4' });
// The server never outlives the measurement.
process.on('exit', () => server.kill('SIGKILL'));

async function ready(): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the server never answered /readyz');
}

async function walk(query: string, pages: number): Promise<string> {
  let cursor = '';
  for (let i = 0; i < pages; i += 1) {
    const res = await fetch(`${base}/v1/articles?limit=20${query}${cursor ? `&cursor=${cursor}` : ''}`);
    cursor = ((await res.json()) as { meta: { nextCursor: string } }).meta.nextCursor;
  }
  return cursor;
}

await ready();
const urls: Record<string, string> = {
  'search, common word (pain)': '/v1/articles?q=pain',
  'search, rare word (piriformis)': '/v1/articles?q=piriformis',
  // The synthetic articles' rarest words stand in 8% of them; a number stands in one.
  'search, two words in 8% (plantar fasciitis)': '/v1/articles?q=plantar%20fasciitis',
  'search, a word in 8% and one in all (knee pain)': '/v1/articles?q=knee%20pain',
  'search, one match (54321)': '/v1/articles?q=54321',
  'list, first page': '/v1/articles?limit=20',
  'list, 1,000 deep': `/v1/articles?limit=20&cursor=${await walk('', 50)}`,
  [`tag ${tag}, first page`]: `/v1/articles?limit=20&tag=${tag}`,
  [`tag ${tag}, 1,000 deep`]: `/v1/articles?limit=20&tag=${tag}&cursor=${await walk(`&tag=${tag}`, 50)}`,
  [`tag ${tag} + sort=publishedAt, first page`]: `/v1/articles?limit=20&tag=${tag}&sort=publishedAt`,
  [`tag ${tag} + sort=publishedAt, 1,000 deep`]: `/v1/articles?limit=20&tag=${tag}&sort=publishedAt&cursor=${await walk(`&tag=${tag}&sort=publishedAt`, 50)}`,
  [`tag ${tag} + sort=title, first page`]: `/v1/articles?limit=20&tag=${tag}&sort=title`,
  [`tag ${tag} + sort=title, 1,000 deep`]: `/v1/articles?limit=20&tag=${tag}&sort=title&cursor=${await walk(`&tag=${tag}&sort=title`, 50)}`,
  [`two tags + sort=title, first page`]: `/v1/articles?limit=20&tag=${tag}&tag=${tag2}&sort=title`,
  [`two tags + sort=title, 1,000 deep`]: `/v1/articles?limit=20&tag=${tag}&tag=${tag2}&sort=title&cursor=${await walk(`&tag=${tag}&tag=${tag2}&sort=title`, 50)}`,
  [`product ${product}, first page`]: `/v1/articles?limit=20&product=${product}`,
  [`product ${product}, ${Number(productPages) * 20} deep`]: `/v1/articles?limit=20&product=${product}&cursor=${await walk(`&product=${product}`, Number(productPages))}`,
  [`product ${product} + sort=title, ${Number(productPages) * 20} deep`]: `/v1/articles?limit=20&product=${product}&sort=title&cursor=${await walk(`&product=${product}&sort=title`, Number(productPages))}`,
  'sort=title, first page': '/v1/articles?limit=20&sort=title',
  'sort=publishedAt, first page': '/v1/articles?limit=20&sort=publishedAt',
};
const times = new Map<string, number[]>(Object.keys(urls).map((name) => [name, []]));
for (const url of Object.values(urls)) for (let i = 0; i < 5; i += 1) await (await fetch(base + url)).text();
// Rounds interleave the URLs, so a busy moment on a shared machine hits them all alike.
for (let round = 0; round < ROUNDS; round += 1)
  for (const [name, url] of Object.entries(urls))
    for (let i = 0; i < PER_ROUND; i += 1) {
      const started = performance.now();
      const res = await fetch(base + url);
      await res.text();
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      times.get(name)!.push(performance.now() - started);
    }
const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
console.log('| request (cache off, one at a time) | median ms | p99 ms |');
console.log('| --- | ---: | ---: |');
for (const [name, values] of times) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(`| ${name} | ${at(sorted, 0.5).toFixed(2)} | ${at(sorted, 0.99).toFixed(1)} |`);
}
process.exit(0);
