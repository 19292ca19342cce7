import { z } from 'zod';
import type { Db } from '../src/db/client.js';
import { COMMENT_STATUSES, PLACEMENTS } from '../src/db/schema.js';
import type { WithTransaction } from '../src/db/transaction.js';
import {
  countArticles,
  ensureTags,
  findArticleIdBySlug,
  findSectionIdByPosition,
  insertArticle,
  insertSection,
  insertTip,
  replaceArticleTags,
  rewriteArticleSearch,
} from '../src/modules/articles/articles.repository.js';
import {
  insertComment,
  insertModerationEvent,
  refreshCommentCounts,
} from '../src/modules/comments/comments.repository.js';
import { contentHashOf } from '../src/modules/comments/comments.service.js';
import {
  findProductBySlug,
  insertProduct,
  replaceArticleProducts,
} from '../src/modules/products/products.repository.js';
import { getSite, upsertSite } from '../src/modules/site/site.repository.js';
import sampleContent from './sample-content.json' with { type: 'json' };

const text = z.string().min(1);
const image = z.object({ url: text, alt: z.string().nullable(), caption: z.string().nullable() }).strict().nullable();
const seedComment = z
  .object({ authorName: text, authorEmail: z.email(), body: text, status: z.enum(COMMENT_STATUSES) })
  .strict();

const SampleContentSchema = z
  .object({
    site: z
      .object({
        name: text,
        description: z.string().nullable(),
        url: z.string().nullable(),
        announcement: z.string().nullable(),
      })
      .strict(),
    tags: z.array(z.object({ slug: text, name: text }).strict()),
    products: z.array(
      z
        .object({
          slug: text,
          name: text,
          summary: z.string().nullable(),
          description: z.string().nullable(),
          url: z.string().nullable(),
          image,
          price: z
            .object({ amount: z.number().int().nonnegative(), currency: z.string().length(3) })
            .strict()
            .nullable(),
          badges: z.array(text),
          suitableFor: z.array(text),
          inStock: z.boolean(),
        })
        .strict(),
    ),
    articles: z.array(
      z
        .object({
          slug: text,
          title: text,
          summary: z.string().nullable(),
          intro: z.string().nullable(),
          conclusion: z.string().nullable(),
          image,
          seo: z
            .object({
              title: z.string().nullable(),
              description: z.string().nullable(),
              canonicalUrl: z.string().nullable(),
              ogImage: z.string().nullable(),
            })
            .strict(),
          tags: z.array(text),
          sections: z.array(
            z
              .object({
                heading: text,
                lead: z.string().nullable(),
                tips: z.array(z.object({ title: text, body: text, image }).strict()),
              })
              .strict(),
          ),
          products: z.array(
            z
              .object({
                product: text,
                placement: z.enum(PLACEMENTS),
                afterSection: z.number().int().positive().nullable(),
                headline: z.string().nullable(),
                pitch: z.string().nullable(),
              })
              .strict(),
          ),
          comments: z.array(seedComment.extend({ replies: z.array(seedComment) })),
        })
        .strict(),
    ),
  })
  .strict();

export type SampleContent = z.infer<typeof SampleContentSchema>;

export function readSampleContent(): SampleContent {
  return SampleContentSchema.parse(sampleContent);
}

const HOUR = 3_600_000;

/** Adds whatever part of the sample content is missing (matched by slug); running it twice changes nothing. */
export async function seedSampleContent({
  withTransaction,
  now,
}: {
  withTransaction: WithTransaction;
  now: Date;
}): Promise<{ articles: number; products: number }> {
  const content = readSampleContent();
  // The page gives no dates: the sample article counts as published a day before it was loaded.
  const publishedAt = new Date(now.getTime() - 24 * HOUR);
  return withTransaction(async (tx) => {
    let addedArticles = 0;
    let addedProducts = 0;
    if (!(await getSite({ db: tx }))) await upsertSite({ db: tx, values: content.site });
    const tagNames = new Map(content.tags.map((t) => [t.slug, t.name]));
    const productIds = new Map<string, number>();
    for (const product of content.products) {
      const existing = await findProductBySlug({ db: tx, slug: product.slug });
      if (existing) {
        productIds.set(product.slug, existing.id);
        continue;
      }
      const stamp = now.toISOString();
      const { image: img, price, ...rest } = product;
      const id = await insertProduct({
        db: tx,
        values: {
          ...rest,
          imageUrl: img?.url ?? null,
          imageAlt: img?.alt ?? null,
          imageCaption: img?.caption ?? null,
          priceAmount: price?.amount ?? null,
          priceCurrency: price?.currency ?? null,
          createdAt: stamp,
          updatedAt: stamp,
        },
      });
      productIds.set(product.slug, id);
      addedProducts += 1;
    }
    for (const article of content.articles) {
      if ((await findArticleIdBySlug({ db: tx, slug: article.slug })) !== undefined) continue;
      await insertSampleArticle(tx, article, { publishedAt, tagNames, productIds });
      addedArticles += 1;
    }
    return { articles: addedArticles, products: addedProducts };
  });
}

async function insertSampleArticle(
  db: Db,
  article: SampleContent['articles'][number],
  {
    publishedAt,
    tagNames,
    productIds,
  }: { publishedAt: Date; tagNames: Map<string, string>; productIds: Map<string, number> },
): Promise<void> {
  const stamp = publishedAt.toISOString();
  const articleId = await insertArticle({
    db,
    values: {
      slug: article.slug,
      title: article.title,
      summary: article.summary,
      intro: article.intro,
      conclusion: article.conclusion,
      imageUrl: article.image?.url ?? null,
      imageAlt: article.image?.alt ?? null,
      imageCaption: article.image?.caption ?? null,
      seoTitle: article.seo.title,
      seoDescription: article.seo.description,
      seoCanonicalUrl: article.seo.canonicalUrl,
      seoOgImage: article.seo.ogImage,
      status: 'published',
      publishedAt: stamp,
      createdAt: stamp,
      updatedAt: stamp,
    },
  });
  const tagIds = await ensureTags({
    db,
    tags: article.tags.map((slug) => ({ slug, name: tagNames.get(slug) ?? slug })),
  });
  await replaceArticleTags({ db, articleId, tagIds });
  for (const [s, section] of article.sections.entries()) {
    const sectionId = await insertSection({ db, articleId, position: s + 1, section });
    for (const [t, tip] of section.tips.entries()) await insertTip({ db, sectionId, position: t + 1, tip });
  }
  await rewriteArticleSearch({ db, articleIds: [articleId] });
  const links = [];
  for (const [i, link] of article.products.entries()) {
    const productId = productIds.get(link.product);
    if (productId === undefined)
      throw new Error(`Sample article ${article.slug} links unknown product ${link.product}`);
    const afterSectionId =
      link.afterSection === null
        ? null
        : ((await findSectionIdByPosition({ db, articleId, position: link.afterSection })) ?? null);
    links.push({
      productId,
      position: i + 1,
      placement: link.placement,
      afterSectionId,
      headline: link.headline,
      pitch: link.pitch,
    });
  }
  await replaceArticleProducts({ db, articleId, links });
  let minute = 0;
  const nextStamp = () => {
    minute += 37;
    return new Date(publishedAt.getTime() + 2 * HOUR + minute * 60_000).toISOString();
  };
  for (const comment of article.comments) {
    const rootId = await insertSampleComment(db, { articleId, parentId: null, comment, at: nextStamp() });
    for (const reply of comment.replies)
      await insertSampleComment(db, { articleId, parentId: rootId, comment: reply, at: nextStamp() });
  }
  await refreshCommentCounts({ db, articleIds: [articleId] });
}

async function insertSampleComment(
  db: Db,
  {
    articleId,
    parentId,
    comment,
    at,
  }: { articleId: number; parentId: number | null; comment: z.infer<typeof seedComment>; at: string },
): Promise<number> {
  const id = await insertComment({
    db,
    values: {
      articleId,
      parentId,
      authorName: comment.authorName,
      authorEmail: comment.authorEmail,
      body: comment.body,
      status: comment.status,
      contentHash: contentHashOf(comment.body),
      createdAt: at,
      updatedAt: at,
    },
  });
  await insertModerationEvent({
    db,
    values: {
      commentId: id,
      fromStatus: null,
      toStatus: 'pending',
      actor: 'seed',
      note: 'Sample comment submitted',
      at,
    },
  });
  if (comment.status !== 'pending') {
    await insertModerationEvent({
      db,
      values: {
        commentId: id,
        fromStatus: 'pending',
        toStatus: comment.status,
        actor: 'seed',
        note: 'Sample moderation decision',
        at,
      },
    });
  }
  return id;
}

/** True when nothing has been stored yet: the only state in which start-up seeds. */
export async function isEmptyDatabase({ db }: { db: Db }): Promise<boolean> {
  return (await countArticles({ db })) === 0 && (await getSite({ db })) === undefined;
}
