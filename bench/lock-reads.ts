import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type LoadOutput, ROOT, runLoad, spawnQuire, waitReady } from './quire-server.js';

/**
 * `npx tsx bench/lock-reads.ts [seconds] [rounds]` (issue 8): read latency while another process
 * holds SQLite's write lock. Each round measures the same steady read load (a fixed rate, so the
 * percentiles are latencies, not queueing at saturation) twice: once with nothing holding the lock,
 * once while a separate process keeps `BEGIN IMMEDIATE` open for the whole measurement. Both times
 * comments are submitted at a fixed rate, so Quire's writes are waiting on timers (and answering 503
 * after SQLITE_BUSY_WAIT_MS) exactly while the reads are measured. Needs `npm run build`.
 */
const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const RATE = 1000; // reads per second per scenario: well under saturation on 2 cores
const WRITE_RATE = 50; // submissions per second, in both phases
const SLUG = 'sciatica-in-runners';
const READS = [
  { name: 'article detail, cache on', path: `/v1/articles/${SLUG}`, cache: 'on' },
  { name: 'article detail, cache off', path: `/v1/articles/${SLUG}`, cache: 'off' },
  { name: '/healthz', path: '/healthz', cache: 'on' },
] as const;

const dir = mkdtempSync(join(tmpdir(), 'quire-lock-reads-'));
const file = join(dir, 'quire.db');
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

execFileSync(process.execPath, ['dist/src/cli.js', 'seed'], {
  cwd: ROOT,
  env: { ...process.env, DATABASE_URL: file, LOG_LEVEL: 'warn' },
});

async function start(cache: 'on' | 'off', port: number) {
  const child = spawnQuire(port, file, {
    COMMENT_RATE_LIMIT_MAX: '1000000',
    SQLITE_BUSY_WAIT_MS: '2000',
    ...(cache === 'off' ? { RESPONSE_CACHE_BYTES: '0' } : {}),
  });
  children.add(child);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url);
  for (let i = 0; i < 200; i++) await fetch(`${url}/v1/articles/${SLUG}`);
  return { url, child };
}

/** A separate process takes the write lock and keeps it until killed (it never commits). */
function holdLock(): Promise<ChildProcess> {
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE'); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`,
      file,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.add(holder);
  return new Promise((resolve, reject) => {
    holder.stdout!.once('data', () => resolve(holder));
    holder.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
}

/**
 * Submissions at a fixed rate, launched on a timer whatever the answers: the same write traffic in
 * both phases; while the lock is held they pile up waiting (on timers) and then answer 503.
 */
function keepWriting(url: string) {
  const statuses: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  const submit = async () => {
    const response = await fetch(`${url}/v1/articles/${SLUG}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        authorName: 'Bench',
        authorEmail: 'bench@example.com',
        body: `Lock bench ${process.pid} ${randomUUID()}`,
      }),
    });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  };
  const timer = setInterval(() => {
    const p = submit().finally(() => pending.delete(p));
    pending.add(p);
  }, 1000 / WRITE_RATE);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return statuses;
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: {
  name: string;
  free: LoadOutput[];
  locked: LoadOutput[];
  writes: Record<'free' | 'locked', Record<string, number>>;
}[] = [];
for (const read of READS) {
  const row = {
    name: read.name,
    free: [] as LoadOutput[],
    locked: [] as LoadOutput[],
    writes: { free: {}, locked: {} } as Record<'free' | 'locked', Record<string, number>>,
  };
  rows.push(row);
  const server = await start(read.cache, await freePort());
  for (let round = 0; round < ROUNDS; round++) {
    for (const phase of ['free', 'locked'] as const) {
      const holder = phase === 'locked' ? await holdLock() : undefined;
      const writer = keepWriting(server.url);
      const result = await runLoad({
        url: `${server.url}${read.path}`,
        connections: 10,
        duration: SECONDS,
        overallRate: RATE,
      });
      const statuses = await writer.stop();
      if (holder) {
        holder.removeAllListeners('exit');
        holder.kill('SIGKILL');
        await new Promise((resolve) => holder.once('exit', resolve));
        children.delete(holder);
      }
      row[phase].push(result);
      for (const [status, count] of Object.entries(statuses))
        row.writes[phase][status] = (row.writes[phase][status] ?? 0) + count;
    }
  }
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  children.delete(server.child);
}

console.log(
  `Reads at ${RATE}/s (10 connections, ${SECONDS} s, ${ROUNDS} rounds, medians) while comments are submitted at ${WRITE_RATE}/s; "locked": another process holds BEGIN IMMEDIATE the whole time (SQLITE_BUSY_WAIT_MS=2000):`,
);
console.log(
  '| read | p50 ms free / locked | p99 ms free / locked | p99 locked ÷ free | non-2xx reads | submissions free | submissions locked |',
);
console.log('| --- | ---: | ---: | ---: | ---: | --- | --- |');
const fmt = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');
for (const row of rows) {
  const p = (rs: LoadOutput[], k: 'p50' | 'p99') => median(rs.map((r) => r[k]));
  const bad = [...row.free, ...row.locked].reduce((n, r) => n + (r.total - r.ok), 0);
  console.log(
    `| ${row.name} | ${p(row.free, 'p50')} / ${p(row.locked, 'p50')} | ${p(row.free, 'p99')} / ${p(row.locked, 'p99')} | ${(p(row.locked, 'p99') / p(row.free, 'p99')).toFixed(2)} | ${bad} | ${fmt(row.writes.free)} | ${fmt(row.writes.locked)} |`,
  );
}
