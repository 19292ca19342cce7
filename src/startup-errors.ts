import { ConfigError } from './config.js';

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/**
 * One line naming the variable to fix, for start-up failures an operator causes (bad configuration,
 * a port in use, a HOST that is not this machine's); undefined for anything else, which keeps its stack.
 */
export function describeStartupError(error: unknown): string | undefined {
  if (error instanceof ConfigError) return error.message;
  const e = error as SystemError;
  if (!(e instanceof Error) || typeof e.code !== 'string') return undefined;
  const where = e.port ? `${e.address}:${e.port}` : `${e.address}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `Cannot listen on ${where}: the address is already in use; set PORT to a free port (or stop the other process).`;
    case 'EACCES':
      return `Cannot listen on ${where}: permission denied; set PORT to 1024 or above.`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${where}: HOST is not an address of this machine; set HOST to one (e.g. 127.0.0.1 or 0.0.0.0).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `Cannot listen: HOST ${e.hostname ?? ''} does not resolve; set HOST to an address of this machine.`;
    default:
      return e.syscall === 'listen' ? `Cannot listen on ${where} (${e.code}); check HOST and PORT.` : undefined;
  }
}
