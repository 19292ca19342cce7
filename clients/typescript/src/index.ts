import createClient, { type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** An RFC 9457 problem as Quire sends it; `code` is a union of every code the API uses. */
export type Problem = components['schemas']['Problem'];
export type ProblemCode = Problem['code'];
export type Article = components['schemas']['Article'];
export type ArticleSummary = components['schemas']['ArticleSummary'];
export type PublicComment = components['schemas']['PublicComment'];
export type Site = components['schemas']['Site'];

export interface QuireClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Where Quire listens, e.g. https://api.example.com (no /v1: paths carry it). */
  baseUrl: string;
  /** An API key for /v1/admin calls; public reads need none. */
  apiKey?: string;
}

/** A typed client over every Quire route: paths, parameters, bodies, responses and problems. */
export function createQuireClient({ baseUrl, apiKey, headers, ...rest }: QuireClientOptions) {
  return createClient<paths>({
    baseUrl,
    headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...(headers as Record<string, string>) },
    ...rest,
  });
}

export type QuireClient = ReturnType<typeof createQuireClient>;
