import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** The repository root: benches run the compiled server from there, as `npm start` does. */
export const ROOT = new URL('..', import.meta.url).pathname;

/**
 * Starts the compiled server (`dist/src/server.js`, production mode) on 127.0.0.1:`port` over
 * `database`, quiet (warn) and without the sample unless `env` says otherwise. Needs `dist/` built.
 */
export function spawnQuire(
  port: number,
  database: string,
  env: Record<string, string> = {},
  stdout: 'ignore' | 'pipe' = 'ignore',
): ChildProcess {
  return spawn(process.execPath, ['dist/src/server.js'], {
    cwd: ROOT,
    stdio: ['ignore', stdout, 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database,
      LOG_LEVEL: 'warn',
      SEED_ON_EMPTY: 'false',
      ...env,
    },
  });
}

/** A port nothing listens on now, as the kernel picks it: fixed ranges met this machine's own services (NATS on 4222). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** What `bench/load.ts` is given: one autocannon run. */
export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** For POST: a JSON body template; "{n}" is replaced by a counter, so every body differs. */
  bodyTemplate?: string | undefined;
  connections: number;
  duration: number;
  /** Requests per second across all connections; unset: as fast as the server answers. */
  overallRate?: number;
}

/** What `bench/load.ts` prints. */
export interface LoadOutput {
  rps: number;
  okPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** The load generator's own CPU during the run. */
  cpuSeconds: number;
  statuses: Record<string, number>;
}

const loaders = new Set<ChildProcess>();
// A bench that stops early takes its load generators with it.
process.on('exit', () => {
  for (const loader of loaders) loader.kill('SIGKILL');
});

/** One autocannon run in a process of its own (never sharing an event loop with what it measures). */
export function runLoad(options: LoadOptions): Promise<LoadOutput> {
  return new Promise((resolve, reject) => {
    const loader = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', JSON.stringify(options)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    loaders.add(loader);
    let out = '';
    loader.stdout!.on('data', (chunk) => (out += chunk));
    loader.on('exit', (code) => {
      loaders.delete(loader);
      if (code !== 0) return reject(new Error(`load exited ${code}`));
      resolve(JSON.parse(out) as LoadOutput);
    });
  });
}

/** Waits until a server started at `base` answers /readyz with 200 (20 s at most). */
export async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${base} never answered /readyz`);
}
