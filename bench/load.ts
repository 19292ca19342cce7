import autocannon from 'autocannon';
import type { LoadOptions } from './quire-server.js';

/**
 * Runs one autocannon load in its own process, so the load generator never shares an event loop
 * with the server it measures. Usage: load.ts '<json options>'; prints the result as JSON.
 */

const options = JSON.parse(process.argv[2]!) as LoadOptions;
let counter = 0;
const cpuBefore = process.cpuUsage();
const result = (await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.duration,
  ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  method: options.method ?? 'GET',
  headers: options.headers ?? {},
  requests: options.bodyTemplate
    ? [
        {
          setupRequest: (request: Record<string, unknown>) => {
            counter += 1;
            return { ...request, body: options.bodyTemplate!.replaceAll('{n}', `${process.pid}-${counter}`) };
          },
        },
      ]
    : undefined,
} as never)) as unknown as {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
};
const seconds = result.duration;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  JSON.stringify({
    rps: result.requests.total / seconds,
    okPerSecond: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    // The load generator's own CPU during the run: on a shared machine, what it took from the server.
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count]),
    ),
  }),
);
