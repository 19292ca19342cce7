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
