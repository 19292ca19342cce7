import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { ArticleStatus, CommentStatus, Placement, Role } from '../enums.js';

// The same tables as src/db/sqlite/schema.ts, column for column (a test checks the two match).
// Text compares and sorts by code point, as in SQLite, whatever the database's locale: public
// documents and page orders are then identical on both engines.
const text = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

// Timestamps are ISO 8601 UTC strings with milliseconds, as in SQLite: they sort as text, and
// documents built by either engine carry them byte for byte.
const timestamp = () => text();

// The English-stemmed, weighted search document of article_search (src/db/postgres/text-search.ts).
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const site = pgTable(
  'site',
  {
    id: integer().primaryKey(),
    name: text().notNull(),
    description: text(),
    url: text(),
    announcement: text(),
  },
  (t) => [check('site_singleton', sql`${t.id} = 1`)],
);

export const articles = pgTable(
  'articles',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    slug: text().notNull(),
    title: text().notNull(),
    summary: text(),
    intro: text(),
    conclusion: text(),
    imageUrl: text(),
    imageAlt: text(),
    imageCaption: text(),
    seoTitle: text(),
    seoDescription: text(),
    seoCanonicalUrl: text(),
    seoOgImage: text(),
    status: text().$type<ArticleStatus>().notNull().default('draft'),
    publishedAt: timestamp(),
    // Bumped by every write to the article or anything in it; admin ETags derive from it.
    revision: integer().notNull().default(1),
    // The comments its public thread shows; kept by every moderation write, read by every list.
    commentCount: integer().notNull().default(0),
    // Bumped to revoke every preview token issued for the article at once.
    previewEpoch: integer().notNull().default(0),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [
    uniqueIndex('articles_slug_unique').on(t.slug),
    // Public list: published, newest first, ties by id.
    index('articles_public_list_idx').on(t.status, t.publishedAt, t.id),
    // Public list sorted by title, ties by id.
    index('articles_title_idx').on(t.status, t.title, t.id),
    check('articles_status_check', sql`${t.status} in ('draft', 'published')`),
    check('articles_published_at_check', sql`${t.status} = 'draft' or ${t.publishedAt} is not null`),
  ],
);

/** Slugs an article used to have; the public API answers 301 from them. */
export const articleSlugRedirects = pgTable(
  'article_slug_redirects',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    slug: text().notNull(),
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    createdAt: timestamp().notNull(),
  },
  (t) => [
    uniqueIndex('article_slug_redirects_slug_unique').on(t.slug),
    index('article_slug_redirects_article_idx').on(t.articleId),
  ],
);

export const tags = pgTable(
  'tags',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    slug: text().notNull(),
    name: text().notNull(),
  },
  (t) => [uniqueIndex('tags_slug_unique').on(t.slug)],
);

export const articleTags = pgTable(
  'article_tags',
  {
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tagId: integer()
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    position: integer().notNull(),
    // Copies of the article's list keys and visibility inputs, kept by triggers (SQLite 0005, PostgreSQL 0006) in the statement of every write.
    articleStatus: text().$type<ArticleStatus>().notNull().default('draft'),
    articlePublishedAt: timestamp(),
    articleTitle: text().notNull().default(''),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.tagId] }),
    uniqueIndex('article_tags_position_unique').on(t.articleId, t.position),
    index('article_tags_tag_idx').on(t.tagId, t.articleId),
    // A tag's public articles in each list order, walked from the cursor on; the title walk carries published_at too, so it never reads the row.
    index('article_tags_date_idx').on(t.tagId, t.articleStatus, t.articlePublishedAt, t.articleId),
    index('article_tags_title_idx').on(t.tagId, t.articleStatus, t.articleTitle, t.articleId, t.articlePublishedAt),
  ],
);

export const sections = pgTable(
  'sections',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    position: integer().notNull(),
    heading: text().notNull(),
    lead: text(),
  },
  (t) => [
    uniqueIndex('sections_position_unique').on(t.articleId, t.position),
    check('sections_position_check', sql`${t.position} >= 1`),
  ],
);

export const tips = pgTable(
  'tips',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    sectionId: integer()
      .notNull()
      .references(() => sections.id, { onDelete: 'cascade' }),
    position: integer().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    imageUrl: text(),
    imageAlt: text(),
    imageCaption: text(),
  },
  (t) => [
    uniqueIndex('tips_position_unique').on(t.sectionId, t.position),
    check('tips_position_check', sql`${t.position} >= 1`),
  ],
);

export const products = pgTable(
  'products',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    slug: text().notNull(),
    name: text().notNull(),
    summary: text(),
    description: text(),
    url: text(),
    imageUrl: text(),
    imageAlt: text(),
    imageCaption: text(),
    // Minor units (cents); null when the price is unknown.
    priceAmount: integer(),
    priceCurrency: text(),
    badges: jsonb().$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    suitableFor: jsonb().$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    inStock: boolean().notNull().default(true),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [
    uniqueIndex('products_slug_unique').on(t.slug),
    check(
      'products_price_check',
      sql`(${t.priceAmount} is null) = (${t.priceCurrency} is null) and coalesce(${t.priceAmount}, 0) >= 0`,
    ),
  ],
);

export const articleProducts = pgTable(
  'article_products',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    // Restrict: a product that articles still feature is not deleted by accident.
    productId: integer()
      .notNull()
      .references(() => products.id, { onDelete: 'restrict' }),
    position: integer().notNull(),
    placement: text().$type<Placement>().notNull().default('end'),
    // The section the product follows; it stays attached when sections move.
    afterSectionId: integer().references(() => sections.id, { onDelete: 'set null' }),
    headline: text(),
    pitch: text(),
    // Copies of the article's list keys and visibility inputs, kept by triggers (SQLite 0005, PostgreSQL 0006) in the statement of every write.
    articleStatus: text().$type<ArticleStatus>().notNull().default('draft'),
    articlePublishedAt: timestamp(),
    articleTitle: text().notNull().default(''),
  },
  (t) => [
    uniqueIndex('article_products_position_unique').on(t.articleId, t.position),
    uniqueIndex('article_products_product_unique').on(t.articleId, t.productId),
    index('article_products_product_idx').on(t.productId),
    // A product's public articles in each list order, walked from the cursor on (the title walk carries published_at too).
    index('article_products_date_idx').on(t.productId, t.articleStatus, t.articlePublishedAt, t.articleId),
    index('article_products_title_idx').on(
      t.productId,
      t.articleStatus,
      t.articleTitle,
      t.articleId,
      t.articlePublishedAt,
    ),
    check('article_products_placement_check', sql`${t.placement} in ('inline', 'end', 'sidebar')`),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    // Restrict: comments and their moderation history outlive nothing silently.
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'restrict' }),
    parentId: integer().references((): AnyPgColumn => comments.id, { onDelete: 'restrict' }),
    authorName: text().notNull(),
    authorEmail: text().notNull(),
    body: text().notNull(),
    status: text().$type<CommentStatus>().notNull().default('pending'),
    addressHash: text(),
    contentHash: text().notNull(),
    spamScore: doublePrecision().notNull().default(0),
    spamSignals: jsonb().$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
    // Bumped by every decision; a moderator's If-Match compares against it.
    revision: integer().notNull().default(1),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
    deletedAt: timestamp(),
  },
  (t) => [
    index('comments_replies_idx').on(t.parentId, t.createdAt, t.id),
    // Moderation queue: by status, oldest first.
    index('comments_queue_idx').on(t.status, t.createdAt, t.id),
    // The queue of one article, of every status or of one, either order (migration 0003); the
    // second also serves the public thread (approved roots of an article, oldest first).
    index('comments_article_queue_idx').on(t.articleId, t.createdAt, t.id),
    index('comments_article_status_idx').on(t.articleId, t.status, t.createdAt, t.id),
    // Duplicate detection: same text from the same client within a window.
    index('comments_duplicate_idx').on(t.contentHash, t.addressHash, t.createdAt),
    // The knownSpamAddress signal: earlier spam from the same client.
    index('comments_address_idx').on(t.addressHash, t.status),
    // The queue of every status, newest or oldest first, and its date range.
    index('comments_created_idx').on(t.createdAt, t.id),
    // Returning readers: an author's history by normalised e-mail (the same expression queries use).
    index('comments_author_idx').on(sql`lower(trim(${t.authorEmail}))`, t.status, t.id),
    check('comments_status_check', sql`${t.status} in ('pending', 'approved', 'rejected', 'spam')`),
  ],
);

// PostgreSQL only (SQLite has FTS5's comments_fts): each comment's text search document, written by
// triggers when its text is (migration 0007). A side table, so a status change, the commonest
// write, neither copies the document nor touches its GIN index.
export const commentSearch = pgTable(
  'comment_search',
  {
    commentId: integer()
      .primaryKey()
      .references(() => comments.id, { onDelete: 'cascade' }),
    // to_tsvector('simple', body || ' ' || author_name): every word, lowercased, no stemming.
    document: tsvector().notNull(),
  },
  (t) => [index('comment_search_document_idx').using('gin', t.document)],
);

// Live comments per status, kept by triggers in the same statement as every change (migration
// 0001): the queue's counts are read, never recounted.
export const commentCounts = pgTable(
  'comment_counts',
  {
    status: text().$type<CommentStatus>().notNull(),
    // Several rows per status, summed when read: concurrent writers each update their own (0004); SQLite uses slot 0.
    slot: integer().notNull().default(0),
    n: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.status, t.slot] })],
);

// Live comments per article and status, kept by the same kind of triggers (migration 0003): the
// queue's counts under an article filter are read too.
export const commentArticleCounts = pgTable(
  'comment_article_counts',
  {
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    status: text().$type<CommentStatus>().notNull(),
    slot: integer().notNull().default(0),
    n: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.status, t.slot] })],
);

// Blocked words, e-mails and addresses moderators manage; read at every submission.
export const commentBlocks = pgTable(
  'comment_blocks',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    kind: text().$type<'word' | 'email' | 'address'>().notNull(),
    // A word lowercased, an e-mail normalised, an address as the salted hash comments keep.
    value: text().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
  },
  (t) => [
    uniqueIndex('comment_blocks_kind_value_unique').on(t.kind, t.value),
    check('comment_blocks_kind_check', sql`${t.kind} in ('word', 'email', 'address')`),
  ],
);

export const moderationEvents = pgTable(
  'moderation_events',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    commentId: integer()
      .notNull()
      .references(() => comments.id, { onDelete: 'restrict' }),
    fromStatus: text().$type<CommentStatus>(),
    toStatus: text().$type<CommentStatus>().notNull(),
    actor: text().notNull(),
    note: text(),
    at: timestamp().notNull(),
  },
  (t) => [index('moderation_events_comment_idx').on(t.commentId, t.at)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    name: text().notNull(),
    role: text().$type<Role>().notNull(),
    // SHA-256 of the whole key; the key itself is never stored.
    hash: text().notNull(),
    prefix: text().notNull(),
    createdAt: timestamp().notNull(),
    lastUsedAt: timestamp(),
    revokedAt: timestamp(),
  },
  (t) => [
    uniqueIndex('api_keys_hash_unique').on(t.hash),
    check('api_keys_role_check', sql`${t.role} in ('admin', 'editor', 'moderator')`),
  ],
);

/** Bumped inside every write transaction; public ETags derive from it. */
export const contentVersion = pgTable(
  'content_version',
  {
    id: integer().primaryKey(),
    version: integer().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [check('content_version_singleton', sql`${t.id} = 1`)],
);

/** Values generated once per installation, such as the salt for client-address hashes. */
export const instanceSecrets = pgTable('instance_secrets', {
  name: text().primaryKey(),
  value: text().notNull(),
  createdAt: timestamp().notNull(),
});

/**
 * The text full-text search reads, one row per article, rewritten in the same transaction as every
 * edit of the article or its sections and tips. Migration 0002 adds the weighted GIN index.
 */
export const articleSearch = pgTable(
  'article_search',
  {
    articleId: integer()
      .primaryKey()
      .references(() => articles.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    // Section headings: weigh more than the body.
    headings: text().notNull(),
    // Summary, intro, section leads, tip titles and bodies, conclusion.
    body: text().notNull(),
    // PostgreSQL only (SQLite has FTS5): stored, so ranking reads it instead of parsing the text per row.
    document: tsvector()
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', "headings"), 'B') || setweight(to_tsvector('english', "body"), 'C')`,
      ),
  },
  (t) => [index('article_search_document_idx').using('gin', t.document)],
);

/** Public-content events, written in the same transaction as the change they describe (the outbox). */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    // PostgreSQL: the writing transaction (pg_current_xact_id), so readers leave out what may still
    // commit behind them; SQLite: 0 (one writer, ids follow commit order).
    txId: bigint({ mode: 'number' }).notNull().default(0),
    type: text().notNull(),
    kind: text().$type<'article' | 'product' | 'site' | 'comment'>().notNull(),
    resourceId: integer().notNull(),
    slug: text(),
    previousSlug: text(),
    // Space-separated, as in the Surrogate-Key header.
    surrogateKeys: text().notNull(),
    at: timestamp().notNull(),
  },
  (t) => [index('outbox_events_order_idx').on(t.txId, t.id), index('outbox_events_at_idx').on(t.at)],
);

/** How far each outbox reader (webhook dispatch, CDN purge) has got. */
export const outboxCursors = pgTable('outbox_cursors', {
  name: text().primaryKey(),
  txId: bigint({ mode: 'number' }).notNull().default(0),
  eventId: integer().notNull().default(0),
  updatedAt: timestamp().notNull(),
});

export const webhooks = pgTable('webhooks', {
  id: integer().primaryKey().generatedByDefaultAsIdentity(),
  url: text().notNull(),
  // Event types it wants; empty means every event.
  events: jsonb().$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  enabled: boolean().notNull().default(true),
  secret: text().notNull(),
  // Why it was disabled automatically (failing for 24 h), or null.
  disabledReason: text(),
  failingSince: timestamp(),
  createdAt: timestamp().notNull(),
  updatedAt: timestamp().notNull(),
});

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    webhookId: integer()
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: integer()
      .notNull()
      .references(() => outboxEvents.id, { onDelete: 'cascade' }),
    status: text().$type<'pending' | 'succeeded' | 'failed'>().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp().notNull(),
    // A sender's claim: past this time another process may take the delivery over.
    claimedUntil: timestamp(),
    lastAttemptAt: timestamp(),
    lastStatusCode: integer(),
    lastError: text(),
    // At most 1 KB of the receiver's answer.
    lastResponseBody: text(),
    createdAt: timestamp().notNull(),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id),
    check('webhook_deliveries_status_check', sql`${t.status} in ('pending', 'succeeded', 'failed')`),
  ],
);
