import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const BRACKETED_V6 = /^\[([^\]]+)\](?::\d{1,5})?$/;
const MAPPED_V4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * One spelling per address, or undefined when the value is not an address: a port, brackets, case,
 * IPv6 zero-compression or an IPv4-mapped IPv6 form must never give a client a fresh allowance.
 */
export function normalizeAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let address = value.trim().toLowerCase();
  address = BRACKETED_V6.exec(address)?.[1] ?? IPV4_WITH_PORT.exec(address)?.[1] ?? address;
  address = address.replace(/%.*$/, ''); // an IPv6 zone names the interface, not the client
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return undefined;
  // The URL parser writes an IPv6 address in its canonical compressed form (and a mapped IPv4 in hex).
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = MAPPED_V4.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * The client's address as TRUST_PROXY defines it, normalised; when a trusted proxy forwarded
 * something that is not an address, the connecting peer's address is used instead.
 */
export function clientAddress(request: FastifyRequest): string {
  return normalizeAddress(request.ip) ?? normalizeAddress(request.socket?.remoteAddress) ?? 'unknown';
}
