import type { DatabaseHandles } from '../../src/db/client.js';
import type { CommentStatus, Placement } from '../../src/db/schema.js';
import {
  ensureTags,
  insertArticle,
  insertSection,
  insertTip,
  replaceArticleTags,
  rewriteArticleSearch,
} from '../../src/modules/articles/articles.repository.js';
import { insertComment, refreshCommentCounts } from '../../src/modules/comments/comments.repository.js';
import { contentHashOf } from '../../src/modules/comments/comments.service.js';
import { insertProduct, replaceArticleProducts } from '../../src/modules/products/products.repository.js';
import { upsertSite } from '../../src/modules/site/site.repository.js';

let sequence = 0;
const next = () => (sequence += 1);

export interface ArticleFactoryInput {
  slug?: string;
  title?: string;
  status?: 'draft' | 'published';
  publishedAt?: string | null;
  tags?: string[];
  sections?: { heading: string; lead?: string | null; tips: { title: string; body: string }[] }[];
  products?: {
    productId: number;
    placement?: Placement;
    afterSection?: number | null;
    headline?: string | null;
    pitch?: string | null;
  }[];
}

/** Inserts an article (published an hour before the given time by default) with its sections and tips. */
export async function createArticle(
  db: DatabaseHandles,
  input: ArticleFactoryInput = {},
  at = new Date('2026-06-01T11:00:00.000Z'),
) {
  const n = next();
  const status = input.status ?? 'published';
  const publishedAt =
    input.publishedAt === undefined ? (status === 'published' ? at.toISOString() : null) : input.publishedAt;
  const sections = input.sections ?? [
    { heading: `Section ${n}`, lead: null, tips: [{ title: `Tip ${n}`, body: `Body ${n}` }] },
  ];
  return db.withTransaction(async (tx) => {
    const stamp = at.toISOString();
    const id = await insertArticle({
      db: tx,
      values: {
        slug: input.slug ?? `article-${n}`,
        title: input.title ?? `Article ${n}`,
        summary: `Summary ${n}`,
        status,
        publishedAt,
        createdAt: stamp,
        updatedAt: stamp,
      },
    });
    const tagIds = await ensureTags({
      db: tx,
      tags: (input.tags ?? []).map((slug) => ({ slug, name: slug.toUpperCase() })),
    });
    await replaceArticleTags({ db: tx, articleId: id, tagIds });
    const sectionIds: number[] = [];
    for (const [s, section] of sections.entries()) {
      const sectionId = await insertSection({
        db: tx,
        articleId: id,
        position: s + 1,
        section: { heading: section.heading, lead: section.lead ?? null },
      });
      sectionIds.push(sectionId);
      for (const [t, tip] of section.tips.entries())
        await insertTip({ db: tx, sectionId, position: t + 1, tip: { ...tip, image: null } });
    }
    await replaceArticleProducts({
      db: tx,
      articleId: id,
      links: (input.products ?? []).map((link, i) => ({
        productId: link.productId,
        position: i + 1,
        placement: link.placement ?? 'end',
        afterSectionId: link.afterSection ? (sectionIds[link.afterSection - 1] ?? null) : null,
        headline: link.headline ?? null,
        pitch: link.pitch ?? null,
      })),
    });
    await rewriteArticleSearch({ db: tx, articleIds: [id] });
    return { id, slug: input.slug ?? `article-${n}`, sectionIds };
  });
}

export async function createProduct(
  db: DatabaseHandles,
  input: {
    slug?: string;
    name?: string;
    priceAmount?: number | null;
    priceCurrency?: string | null;
    badges?: string[];
  } = {},
) {
  const n = next();
  const stamp = '2026-01-01T00:00:00.000Z';
  const slug = input.slug ?? `product-${n}`;
  const id = await db.withTransaction((tx) =>
    insertProduct({
      db: tx,
      values: {
        slug,
        name: input.name ?? `Product ${n}`,
        priceAmount: input.priceAmount ?? null,
        priceCurrency: input.priceCurrency ?? null,
        badges: input.badges ?? [],
        suitableFor: [],
        createdAt: stamp,
        updatedAt: stamp,
      },
    }),
  );
  return { id, slug };
}

export async function createComment(
  db: DatabaseHandles,
  input: {
    articleId: number;
    parentId?: number | null;
    status?: CommentStatus;
    body?: string;
    authorName?: string;
    authorEmail?: string;
    createdAt?: string;
    deletedAt?: string | null;
  },
) {
  const n = next();
  const body = input.body ?? `Comment ${n}`;
  const createdAt = input.createdAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  return db.withTransaction(async (tx) => {
    const id = await insertComment({
      db: tx,
      values: {
        articleId: input.articleId,
        parentId: input.parentId ?? null,
        authorName: input.authorName ?? `Reader ${n}`,
        authorEmail: input.authorEmail ?? `reader${n}@example.com`,
        body,
        status: input.status ?? 'approved',
        contentHash: contentHashOf(body),
        createdAt,
        updatedAt: createdAt,
        deletedAt: input.deletedAt ?? null,
      },
    });
    await refreshCommentCounts({ db: tx, articleIds: [input.articleId] });
    return id;
  });
}

export async function createSite(db: DatabaseHandles) {
  await db.withTransaction((tx) =>
    upsertSite({ db: tx, values: { name: 'Test site', description: null, url: null, announcement: 'Free shipping' } }),
  );
}
