import { isIP } from 'node:net';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

// A base URL without a trailing slash, so paths append as `${base}${path}`.
const absoluteUrl = z.url({ protocol: /^https?$/ }).transform((v) => v.replace(/\/+$/, ''));
const pathTemplate = (fallback: string) =>
  z
    .string()
    .regex(/^\/.*\{slug\}/, 'expected a path starting with / and holding {slug}')
    .default(fallback);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().min(1).default('data/quire.db'),
  DATABASE_POOL_SIZE: positiveInt(10),
  DATABASE_LISTEN: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  WORKERS: z.coerce.number().int().min(0).max(256).default(0),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_PREFIX: z.string().min(1).default('quire:'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LOG_FAST_LANE_SAMPLE: z.coerce.number().min(0).max(1).default(0.01),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => parseTrustProxy(value, ctx)),
  BODY_LIMIT: positiveInt(1_048_576),
  REQUEST_TIMEOUT_MS: positiveInt(10_000),
  RESPONSE_CACHE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
  CACHE_CONTROL: z.string().min(1).default('public, max-age=0, s-maxage=60, stale-while-revalidate=300'),
  SQLITE_BUSY_WAIT_MS: z.coerce.number().int().min(0).default(5000),
  SQLITE_SYNCHRONOUS: z.enum(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('NORMAL'),
  AUTH_FAILURE_LIMIT_MAX: positiveInt(20),
  AUTH_FAILURE_WINDOW_MS: positiveInt(60_000),
  COMMENT_RATE_LIMIT_MAX: positiveInt(5),
  COMMENT_RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
  COMMENT_MIN_SUBMIT_SECONDS: z.coerce.number().min(0).default(3),
  COMMENT_DUPLICATE_WINDOW_MS: positiveInt(600_000),
  COMMENT_SPAM_THRESHOLD: z.coerce.number().positive().default(1),
  COMMENT_TRUST_AFTER: z.coerce.number().int().min(0).default(1),
  COMMENT_SPAM_MEMORY_DAYS: z.coerce.number().positive().default(30),
  COMMENT_HOLD_LINKS: z.coerce.number().int().min(0).default(2),
  COMMENT_BLOCKED_WORDS: z
    .string()
    .default('viagra,cialis,casino,payday loan,crypto giveaway,buy followers,forex signals,escort')
    .transform((v) =>
      v
        .split(',')
        .map((w) => w.trim().toLowerCase())
        .filter(Boolean),
    ),
  PREVIEW_TTL: z.coerce.number().int().positive().max(604_800).default(3600),
  CHANGES_RETENTION_DAYS: z.coerce.number().positive().default(30),
  // Seconds; a week at most, so a leaked link does not outlive a release cycle.
  SITE_URL: absoluteUrl.optional(),
  PUBLIC_URL: absoluteUrl.optional(),
  SITE_ARTICLE_PATH: pathTemplate('/articles/{slug}'),
  SITE_PRODUCT_PATH: pathTemplate('/products/{slug}'),
  SITE_TAG_PATH: pathTemplate('/tags/{slug}'),
  SITEMAP_MAX_URLS: z.coerce.number().int().min(1).max(50_000).default(50_000),
  // Matches ranked together per search window: bounds a common word's cost (README, Search).
  SEARCH_RANK_WINDOW: positiveInt(1000),
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  PURGE_URLS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const urls = value
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      const bad = urls.filter((u) => !absoluteUrl.safeParse(u).success);
      if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `expected http(s) URLs, got ${bad.join(', ')}` });
      return urls;
    }),
  SEED_ON_EMPTY: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export type TrustProxy = false | string[];

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** PostgreSQL: connections per process. */
  databasePoolSize: number;
  /** PostgreSQL: learn the content version from LISTEN/NOTIFY on one extra connection. */
  databaseListen: boolean;
  /** Bearer token for GET /metrics; null leaves the route off. */
  metricsToken: string | null;
  /** Processes serving the port (node:cluster); 0 is one process and no primary. */
  workers: number;
  /** Where rate limits count, shared by every process; null: each process counts alone. */
  redisUrl: string | null;
  /** Prefix of every Redis key, so installations (or test runs) sharing a Redis never mix counts. */
  redisPrefix: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Share of the fast lane's answers (cache hits, 304s) logged as Fastify logs requests: 1 all, 0 none. */
  logFastLaneSample: number;
  trustProxy: TrustProxy;
  bodyLimit: number;
  requestTimeoutMs: number;
  cacheControl: string;
  /** In-process cache of public responses, in bytes; 0 turns it off. */
  responseCacheBytes: number;
  sqliteSynchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  /** How long a write waits for a lock another process holds before it answers 503. */
  sqliteBusyWaitMs: number;
  seedOnEmpty: boolean;
  /** Failed management authentications (401) allowed per client address per window; more get 429. */
  authFailureLimit: { max: number; windowMs: number };
  comments: CommentPolicy;
  /** The public website (frontend) feeds and the sitemap link to; else the site's `url`. */
  siteUrl: string | null;
  /** Where relative image paths are served from; else the site's `url`; neither: left relative. */
  publicUrl: string | null;
  /** Page URLs on the website: `{SITE_URL}` + template with `{slug}` replaced. */
  sitePaths: SitePaths;
  /** URLs per sitemap file; past it /sitemap.xml is an index of parts. */
  sitemapMaxUrls: number;
  /** Search matches ranked together, newest first: a search matching more ranks window by window. */
  searchRankWindow: number;
  /** Webhook receivers on loopback, link-local or private addresses are refused unless true. */
  /** How long a preview link lives, in seconds (at most 7 days). */
  previewTtlSeconds: number;
  webhookAllowPrivate: boolean;
  /** A webhook receiver must answer 2xx within this. */
  webhookTimeoutMs: number;
  /** Caches told to purge by surrogate key (Varnish xkey PURGE) after every change. */
  purgeUrls: string[];
  /** How long the change feed keeps events; an older cursor gets 410. */
  changesRetentionDays: number;
}

export interface SitePaths {
  article: string;
  product: string;
  tag: string;
}

export interface CommentPolicy {
  /** Submissions per client address per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** A form sent sooner than this after renderedAt is treated as a bot. */
  minSubmitSeconds: number;
  /** The same text from the same address within this window is refused. */
  duplicateWindowMs: number;
  /** A score at or above it routes the comment to spam. */
  spamThreshold: number;
  /** The default blocked words; moderators add more (and e-mails, addresses) through the API. */
  blockedWords: string[];
  /** Approved comments (none rejected or spam since) after which an author's comments are approved at once; 0: off. */
  trustAfter: number;
  /** How long a comment marked spam taints its address-and-e-mail pair. */
  spamMemoryDays: number;
  /** More links than this hold a comment as pending, trusted author or not. */
  holdLinks: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    // One line, naming each bad variable: what an operator reads first in a process manager's log.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseListen: e.DATABASE_LISTEN,
    metricsToken: e.METRICS_TOKEN ?? null,
    workers: e.WORKERS,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    logFastLaneSample: e.LOG_FAST_LANE_SAMPLE,
    trustProxy: e.TRUST_PROXY,
    bodyLimit: e.BODY_LIMIT,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    cacheControl: e.CACHE_CONTROL,
    responseCacheBytes: e.RESPONSE_CACHE_BYTES,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    sqliteBusyWaitMs: e.SQLITE_BUSY_WAIT_MS,
    seedOnEmpty: e.SEED_ON_EMPTY,
    authFailureLimit: { max: e.AUTH_FAILURE_LIMIT_MAX, windowMs: e.AUTH_FAILURE_WINDOW_MS },
    siteUrl: e.SITE_URL ?? null,
    publicUrl: e.PUBLIC_URL ?? null,
    sitePaths: { article: e.SITE_ARTICLE_PATH, product: e.SITE_PRODUCT_PATH, tag: e.SITE_TAG_PATH },
    sitemapMaxUrls: e.SITEMAP_MAX_URLS,
    searchRankWindow: e.SEARCH_RANK_WINDOW,
    previewTtlSeconds: e.PREVIEW_TTL,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    purgeUrls: e.PURGE_URLS,
    changesRetentionDays: e.CHANGES_RETENTION_DAYS,
    comments: {
      rateLimitMax: e.COMMENT_RATE_LIMIT_MAX,
      rateLimitWindowMs: e.COMMENT_RATE_LIMIT_WINDOW_MS,
      minSubmitSeconds: e.COMMENT_MIN_SUBMIT_SECONDS,
      duplicateWindowMs: e.COMMENT_DUPLICATE_WINDOW_MS,
      spamThreshold: e.COMMENT_SPAM_THRESHOLD,
      blockedWords: e.COMMENT_BLOCKED_WORDS,
      trustAfter: e.COMMENT_TRUST_AFTER,
      spamMemoryDays: e.COMMENT_SPAM_MEMORY_DAYS,
      holdLinks: e.COMMENT_HOLD_LINKS,
    },
  };
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An IP address, or one with a prefix length that fits its family (10.0.0.0/8, 2001:db8::/32). */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

// Only explicit proxy addresses are trusted: `true` would let any client forge X-Forwarded-For, and so
// would a hop count (it trusts whatever connects, proxy or not), so a bare number is refused too.
function parseTrustProxy(value: string, ctx: z.RefinementCtx): TrustProxy {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'false' || trimmed === 'off') return false;
  if (/^\d+$/.test(trimmed)) {
    ctx.addIssue({
      code: 'custom',
      message: `hop counts are not accepted (${trimmed}); list the proxy addresses or CIDRs, e.g. 10.0.0.0/8`,
    });
    return z.NEVER;
  }
  const entries = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => !isAddressOrCidr(entry) && !TRUST_PROXY_NAMES.includes(entry));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected "false" or comma-separated proxy addresses/CIDRs, got ${bad.join(', ')}`,
    });
    return z.NEVER;
  }
  return entries;
}
