import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Redis for the cross-process limits: REDIS_URL, or a skip (a failure when REQUIRE_REDIS=1, as in CI). */
export const REDIS_URL = process.env.REDIS_URL || undefined;
if (process.env.REQUIRE_REDIS === '1' && !REDIS_URL) throw new Error('REQUIRE_REDIS=1 but REDIS_URL is not set');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  exited: Promise<number | null>;
  output(): string;
}

/** A real Quire process (src/server.ts through tsx) on 127.0.0.1 and a port of its own unless given. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    // A small pool: several servers share one PostgreSQL server's connection limit with the tests.
    env: { ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1', DATABASE_POOL_SIZE: '4', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, base: `http://127.0.0.1:${port}`, exited, output: () => output };
}

export async function waitForReady(server: ServerProcess, deadline = Date.now() + 30_000): Promise<void> {
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`server exited: ${server.output()}`);
    try {
      if ((await fetch(`${server.base}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server did not become ready: ${server.output()}`);
}

/** Resolves once the output holds a match of `pattern` (polling: the output is a growing string). */
export async function waitForOutput(server: ServerProcess, pattern: RegExp, deadline = Date.now() + 30_000) {
  while (Date.now() < deadline) {
    const match = pattern.exec(server.output());
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${pattern} in: ${server.output()}`);
}
