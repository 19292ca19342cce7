import { type AnyColumn, and, eq, gt, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { ArticleStatus, Tables } from './schema.js';

/**
 * The one visibility rule: an article is public when it is published and due. Everything the
 * public sees (documents, lists, redirects, products' articles, the publication horizon) asks
 * here, in SQL or in JS; an admin's derived status reads the same rule.
 */
export const ADMIN_STATUSES = ['draft', 'scheduled', 'published'] as const;
export type DerivedStatus = (typeof ADMIN_STATUSES)[number];

type Articles = Tables['articles'];
/** The rule's inputs: an article's own columns, or their copies beside a tag or product (article_tags, article_products). */
export interface VisibilityInputs {
  status: AnyColumn;
  publishedAt: AnyColumn;
}
/** A timestamp: an ISO string, or a placeholder bound per execution. */
type At = string | SQLWrapper;

/** Published and due: the only articles the public may know exist. */
export function isPublic(articles: VisibilityInputs, now: At): SQL {
  return and(eq(articles.status, 'published'), sql`${articles.publishedAt} <= ${now}`)!;
}

/** The visibility inputs copied onto article_tags or article_products, for isPublic. */
export function copiedInputs(link: Tables['articleTags'] | Tables['articleProducts']): VisibilityInputs {
  return { status: link.articleStatus, publishedAt: link.articlePublishedAt };
}

/** Published but not yet due. */
export function isScheduled(articles: Articles, now: At): SQL {
  return and(eq(articles.status, 'published'), gt(articles.publishedAt, now as string))!;
}

export function statusCondition(articles: Articles, status: DerivedStatus, now: string): SQL {
  if (status === 'draft') return eq(articles.status, 'draft');
  return status === 'scheduled' ? isScheduled(articles, now) : isPublic(articles, now);
}

/** The same rule for a row already read. */
export function derivedStatus(status: ArticleStatus, publishedAt: string | null, now: Date): DerivedStatus {
  if (status === 'draft' || publishedAt === null) return 'draft';
  return publishedAt > now.toISOString() ? 'scheduled' : 'published';
}
