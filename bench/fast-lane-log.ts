import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad, spawnQuire } from './quire-server.js';

/**
 * `tsx bench/fast-lane-log.ts`: what logging the fast lane's answers costs. Quire (compiled, sample
 * database, LOG_LEVEL=info, stdout a pipe this process drains as a log collector would) serves a
 * cache hit and a 304 under autocannon with LOG_FAST_LANE_SAMPLE=0 and =1 alternately; the figure
 * is the server's CPU time per answer (from /proc), which other load on the machine disturbs far
 * less than requests per second. Build dist/ first (npx tsc -p tsconfig.build.json).
 */
const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '50' },
    samples: { type: 'string', default: '0,1' },
  },
});
const SLUG = '/v1/articles/sciatica-in-runners';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

async function measure(dir: string, sample: string, port: number) {
  const child = spawnQuire(
    port,
    join(dir, 'quire.db'),
    { LOG_LEVEL: 'info', LOG_FAST_LANE_SAMPLE: sample, SEED_ON_EMPTY: 'true' },
    'pipe',
  );

  let logged = 0;
  child.stdout!.on('data', (chunk: Buffer) => (logged += chunk.length));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i += 1) {
      if (i > 400) throw new Error('Quire did not start');
      if (
        await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const etag = (await fetch(`${base}${SLUG}`)).headers.get('etag')!;
    const results: Record<string, string> = {};
    for (const [name, headers] of [
      ['hit', {}],
      ['304', { 'if-none-match': etag }],
    ] as const) {
      const [cpu, bytes] = [cpuSeconds(child.pid!), logged];
      const result = await runLoad({
        url: `${base}${SLUG}`,
        headers,
        connections: Number(flags.connections),
        duration: Number(flags.duration),
      });
      const micros = ((cpuSeconds(child.pid!) - cpu) * 1e6) / result.total;
      results[name] =
        `${micros.toFixed(1)} µs CPU/answer, ${Math.round(result.rps)}/s, ${((logged - bytes) / result.total).toFixed(0)} log bytes/answer ${JSON.stringify(result.statuses)}`;
    }
    return results;
  } finally {
    child.kill('SIGKILL');
  }
}

const dir = mkdtempSync(join(tmpdir(), 'quire-fast-lane-log-'));
try {
  let port = 4900 + Math.floor(Math.random() * 90);
  for (let round = 1; round <= Number(flags.rounds); round += 1) {
    for (const sample of flags.samples.split(',')) {
      const results = await measure(dir, sample, port++);
      for (const [name, line] of Object.entries(results))
        console.log(`round ${round} LOG_FAST_LANE_SAMPLE=${sample} ${name}: ${line}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
