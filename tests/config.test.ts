import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has safe defaults: loopback, a file database, no trusted proxy', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: 'data/quire.db',
      trustProxy: false,
      sqliteSynchronous: 'NORMAL',
      seedOnEmpty: true,
      databaseListen: true,
      logFastLaneSample: 0.01,
    });
    expect(config.cacheControl).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=300');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: ':memory:',
      DATABASE_POOL_SIZE: '4',
      LOG_LEVEL: 'debug',
      LOG_FAST_LANE_SAMPLE: '0.25',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      BODY_LIMIT: '2048',
      REQUEST_TIMEOUT_MS: '500',
      CACHE_CONTROL: 'no-cache',
      RESPONSE_CACHE_BYTES: '0',
      SQLITE_SYNCHRONOUS: 'FULL',
      SQLITE_BUSY_WAIT_MS: '250',
      SEED_ON_EMPTY: 'false',
      DATABASE_LISTEN: 'false',
      AUTH_FAILURE_LIMIT_MAX: '9',
      AUTH_FAILURE_WINDOW_MS: '1000',
      COMMENT_RATE_LIMIT_MAX: '7',
      COMMENT_RATE_LIMIT_WINDOW_MS: '30000',
      COMMENT_MIN_SUBMIT_SECONDS: '0',
      COMMENT_DUPLICATE_WINDOW_MS: '1000',
      COMMENT_SPAM_THRESHOLD: '2.5',
      COMMENT_BLOCKED_WORDS: 'Foo, bar baz ,',
      COMMENT_TRUST_AFTER: '3',
      COMMENT_SPAM_MEMORY_DAYS: '7',
      COMMENT_HOLD_LINKS: '4',
      SITE_URL: 'https://shop.example/',
      PUBLIC_URL: 'https://cdn.example/assets',
      SITE_ARTICLE_PATH: '/blog/{slug}',
      SITE_PRODUCT_PATH: '/shop/{slug}.html',
      SITE_TAG_PATH: '/topics/{slug}',
      SITEMAP_MAX_URLS: '1000',
      SEARCH_RANK_WINDOW: '50',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '2500',
      PURGE_URLS: 'http://127.0.0.1:6081, https://cache.internal/purge',
      PREVIEW_TTL: '600',
      CHANGES_RETENTION_DAYS: '7',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: ':memory:',
      databasePoolSize: 4,
      metricsToken: null,
      workers: 0,
      redisUrl: null,
      redisPrefix: 'quire:',
      logLevel: 'debug',
      logFastLaneSample: 0.25,
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
      bodyLimit: 2048,
      requestTimeoutMs: 500,
      cacheControl: 'no-cache',
      responseCacheBytes: 0,
      sqliteSynchronous: 'FULL',
      sqliteBusyWaitMs: 250,
      seedOnEmpty: false,
      databaseListen: false,
      authFailureLimit: { max: 9, windowMs: 1000 },
      comments: {
        rateLimitMax: 7,
        rateLimitWindowMs: 30000,
        minSubmitSeconds: 0,
        duplicateWindowMs: 1000,
        spamThreshold: 2.5,
        blockedWords: ['foo', 'bar baz'],
        trustAfter: 3,
        spamMemoryDays: 7,
        holdLinks: 4,
      },
      siteUrl: 'https://shop.example',
      publicUrl: 'https://cdn.example/assets',
      sitePaths: { article: '/blog/{slug}', product: '/shop/{slug}.html', tag: '/topics/{slug}' },
      sitemapMaxUrls: 1000,
      searchRankWindow: 50,
      webhookAllowPrivate: true,
      webhookTimeoutMs: 2500,
      purgeUrls: ['http://127.0.0.1:6081', 'https://cache.internal/purge'],
      previewTtlSeconds: 600,
      changesRetentionDays: 7,
    });
  });

  it.each([
    ['CHANGES_RETENTION_DAYS', '0'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FAST_LANE_SAMPLE', '1.5'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'evil.example.com'],
    ['TRUST_PROXY', 'cafe'],
    ['TRUST_PROXY', '1'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1, beef'],
    ['AUTH_FAILURE_LIMIT_MAX', '0'],
    ['BODY_LIMIT', '-1'],
    ['SQLITE_SYNCHRONOUS', 'SOMETIMES'],
    ['SEED_ON_EMPTY', 'yes'],
    ['DATABASE_LISTEN', 'yes'],
    ['COMMENT_RATE_LIMIT_MAX', '0'],
    ['COMMENT_SPAM_THRESHOLD', '-1'],
    ['SITE_URL', 'shop.example'],
    ['PUBLIC_URL', 'javascript:alert(1)'],
    ['SITE_ARTICLE_PATH', '/articles/'],
    ['SITEMAP_MAX_URLS', '50001'],
    ['SEARCH_RANK_WINDOW', '0'],
    ['WEBHOOK_ALLOW_PRIVATE', 'yes'],
    ['PURGE_URLS', 'varnish:6081'],
    ['PREVIEW_TTL', '604801'],
  ])('stops on a bad %s (%s) with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: [^\n]+$`));
  });

  it('accepts IPv4 and IPv6 proxy addresses and CIDRs, and the named ranges', () => {
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,2001:db8::/32, ::1 ,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
      '::1',
      'loopback',
    ]);
  });

  it('says why a hop count is refused', () => {
    expect(() => loadConfig({ TRUST_PROXY: '1' })).toThrow(/TRUST_PROXY: hop counts are not accepted/);
  });
});
