import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runLoad, spawnQuire, waitReady } from './quire-server.js';

/**
 * `npx tsx bench/workers.ts [seconds] [rounds]` (issue 8): cache-on article detail with one process
 * and with WORKERS=2 on one SQLite file, alternated, and the CPU each side used: on a machine whose
 * cores the load generator shares, what a second worker can add is what autocannon leaves free.
 * Needs `npm run build` (it runs dist/src/server.js as `npm start` does).
 */
const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const URL_PATH = '/v1/articles/sciatica-in-runners';
const dir = mkdtempSync(join(tmpdir(), 'quire-workers-'));
const file = join(dir, 'quire.db');
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const TICKS = 100; // USER_HZ on Linux
/** CPU seconds used so far by a process and every process below it. */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
      for (const task of readdirSync(`/proc/${p}/task`))
        for (const child of readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').split(' ').filter(Boolean))
          visit(Number(child));
    } catch {
      // gone already
    }
  };
  visit(pid);
  return ticks / TICKS;
}

async function start(workers: number, port: number) {
  const child = spawnQuire(port, file, { WORKERS: String(workers) });

  children.add(child);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url);
  // Every worker answers from its own cache: warm them all before measuring.
  for (let i = 0; i < 200; i++) await fetch(`${url}${URL_PATH}`);
  return { url, child };
}

execFileSync(process.execPath, ['dist/src/cli.js', 'seed'], {
  cwd: ROOT,
  env: { ...process.env, DATABASE_URL: file, LOG_LEVEL: 'warn' },
});
const results: Record<string, { rps: number[]; serverCores: number[]; loaderCores: number[] }> = {};
let port = 4900 + Math.floor(Math.random() * 50);
for (let round = 0; round < ROUNDS; round++) {
  for (const workers of [0, 2]) {
    const server = await start(workers, port++);
    const before = cpuSeconds(server.child.pid!);
    const { rps, cpuSeconds: loaderCpu } = await runLoad({
      url: `${server.url}${URL_PATH}`,
      connections: 50,
      duration: SECONDS,
    });
    const serverCpu = cpuSeconds(server.child.pid!) - before;
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    children.delete(server.child);
    const name = workers === 0 ? 'one process' : 'WORKERS=2';
    results[name] ??= { rps: [], serverCores: [], loaderCores: [] };
    const row = results[name];
    row.rps.push(rps);
    row.serverCores.push(serverCpu / SECONDS);
    row.loaderCores.push(loaderCpu / SECONDS);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const one = median(results['one process']!.rps);
console.log(
  `Cache-on ${URL_PATH}, 50 connections, ${SECONDS} s × ${ROUNDS} rounds alternated, ${execFileSync('nproc').toString().trim()} cores:`,
);
console.log('| server | req/s (median) | ÷ one process | server CPU (cores) | autocannon CPU (cores) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, row] of Object.entries(results))
  console.log(
    `| ${name} | ${Math.round(median(row.rps))} | ${(median(row.rps) / one).toFixed(2)} | ${median(row.serverCores).toFixed(2)} | ${median(row.loaderCores).toFixed(2)} |`,
  );
