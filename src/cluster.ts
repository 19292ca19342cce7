import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
// A worker that lived this long before dying is restarted at once; sooner deaths back off up to 30 s.
const STABLE_AFTER_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 15_000;

/** The primary's log lines, in the same JSON shape as the workers' (pino's), tagged `role: "primary"`. */
export function primaryLogger(level: Config['logLevel']) {
  const write = (at: keyof typeof LEVELS) => (fields: Record<string, unknown>, msg: string) => {
    if (LEVELS[at] < LEVELS[level]) return;
    const line = { level: LEVELS[at], time: Date.now(), pid: process.pid, role: 'primary', ...fields, msg };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * The primary of WORKERS=N: the database is already migrated (and seeded) when this runs. It forks
 * N workers that share the port, restarts one that dies unexpectedly (with back-off), and on
 * SIGTERM/SIGINT stops them all gracefully, exiting 0 when every one finished cleanly.
 */
export function runPrimary(config: Config): void {
  const log = primaryLogger(config.logLevel);
  let stopping = false;
  let failedExits = 0;
  let consecutiveCrashes = 0;
  const startedAt = new Map<Worker, number>();
  const listening = new Set<Worker>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    log.info({ worker: worker.id, workerPid: worker.process.pid }, 'worker started');
    worker.once('listening', (address) => {
      listening.add(worker);
      log.info({ worker: worker.id, port: address.port }, 'worker listening');
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      // A worker still starting has no handler yet: our SIGTERM ends it, and it had nothing in flight.
      const clean = code === 0 || (signal === 'SIGTERM' && !listening.has(worker));
      if (!clean) failedExits += 1;
      listening.delete(worker);
      log.info({ worker: worker.id, code, signal }, 'worker stopped');
      if (startedAt.size === 0) {
        log.info({ failedExits }, 'all workers stopped; exiting');
        process.exit(failedExits === 0 ? 0 : 1);
      }
      return;
    }
    listening.delete(worker);
    consecutiveCrashes = lived >= STABLE_AFTER_MS ? 1 : consecutiveCrashes + 1;
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (consecutiveCrashes - 1));
    log.error({ worker: worker.id, code, signal, livedMs: lived, restartInMs: delay }, 'worker died; restarting');
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: startedAt.size }, 'shutting down: stopping every worker');
    if (startedAt.size === 0) process.exit(0);
    // Each worker finishes its in-flight requests, closes its database and exits on its own SIGTERM.
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      log.error({ remaining: startedAt.size }, 'workers did not stop in time; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  log.info({ workers: config.workers, port: config.port, host: config.host }, 'primary forking workers');
  for (let i = 0; i < config.workers; i += 1) fork();
}
