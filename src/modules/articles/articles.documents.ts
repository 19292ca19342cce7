import { and, desc, eq, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { jsonArray, jsonBoolean, jsonEmbedded, jsonObject, jsonObjectOrNull, jsonText } from '../../db/json.js';
import { orderByWithLimit, preparedPer, preparedPerLimit } from '../../db/prepared.js';
import { articleProducts, articles, articleTags, products, sections, tags, tips } from '../../db/schema.js';

// Public documents built as JSON by the database, in the exact shape of ArticleSchema and
// ArticleSummarySchema: one statement per read, and no per-request serialisation.

const imageOf = (table: { imageUrl: SQLWrapper; imageAlt: SQLWrapper; imageCaption: SQLWrapper }) =>
  jsonObjectOrNull(sql`${table.imageUrl} is null`, {
    url: table.imageUrl,
    alt: table.imageAlt,
    caption: table.imageCaption,
  });

const tagsOfArticle = jsonArray({
  element: jsonObject({ slug: tags.slug, name: tags.name }),
  from: sql`${articleTags} join ${tags} on ${tags.id} = ${articleTags.tagId} where ${articleTags.articleId} = ${articles.id}`,
  orderBy: sql`${articleTags.position}`,
});

const tipsOfSection = jsonArray({
  element: jsonObject({
    id: tips.id,
    position: tips.position,
    title: tips.title,
    body: tips.body,
    image: imageOf(tips),
  }),
  from: sql`${tips} where ${tips.sectionId} = ${sections.id}`,
  orderBy: sql`${tips.position}`,
});

const sectionsOfArticle = jsonArray({
  element: jsonObject({
    id: sections.id,
    position: sections.position,
    heading: sections.heading,
    lead: sections.lead,
    tips: tipsOfSection,
  }),
  from: sql`${sections} where ${sections.articleId} = ${articles.id}`,
  orderBy: sql`${sections.position}`,
});

const productsOfArticle = jsonArray({
  element: jsonObject({
    slug: products.slug,
    name: products.name,
    summary: products.summary,
    url: products.url,
    image: imageOf(products),
    price: jsonObjectOrNull(sql`${products.priceAmount} is null`, {
      amount: products.priceAmount,
      currency: products.priceCurrency,
    }),
    badges: jsonEmbedded(products.badges),
    suitableFor: jsonEmbedded(products.suitableFor),
    inStock: jsonBoolean(products.inStock),
    placement: articleProducts.placement,
    afterSection: sql`(select ${sections.position} from ${sections} where ${sections.id} = ${articleProducts.afterSectionId})`,
    headline: articleProducts.headline,
    pitch: articleProducts.pitch,
  }),
  from: sql`${articleProducts} join ${products} on ${products.id} = ${articleProducts.productId} where ${articleProducts.articleId} = ${articles.id}`,
  orderBy: sql`${articleProducts.position}`,
});

const seoOfArticle = jsonObject({
  title: articles.seoTitle,
  description: articles.seoDescription,
  canonicalUrl: articles.seoCanonicalUrl,
  ogImage: articles.seoOgImage,
});

const articleDocument = jsonObject({
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  summary: articles.summary,
  intro: articles.intro,
  conclusion: articles.conclusion,
  image: imageOf(articles),
  tags: tagsOfArticle,
  seo: seoOfArticle,
  publishedAt: articles.publishedAt,
  updatedAt: articles.updatedAt,
  commentCount: articles.commentCount,
  sections: sectionsOfArticle,
  products: productsOfArticle,
});

const summaryDocument = jsonObject({
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  summary: articles.summary,
  image: imageOf(articles),
  tags: tagsOfArticle,
  publishedAt: articles.publishedAt,
  commentCount: articles.commentCount,
});

const isPublicAt = (now: ReturnType<typeof sql.placeholder>) =>
  and(eq(articles.status, 'published'), sql`${articles.publishedAt} <= ${now}`);

const documentBySlug = preparedPer((db: Db) =>
  db
    .select({
      id: articles.id,
      // Spelled out: drizzle renders a column at the top of a select field without its table, which
      // here would bind to article_products.id.
      productIds: sql<
        string | null
      >`(select group_concat(${articleProducts.productId}) from ${articleProducts} where ${articleProducts.articleId} = ${sql.identifier('articles')}.${sql.identifier('id')})`,
      doc: jsonText(articleDocument),
    })
    .from(articles)
    .where(and(eq(articles.slug, sql.placeholder('slug')), isPublicAt(sql.placeholder('now'))))
    .prepare(),
);

/** A published, due article as its public JSON document, with the ids its Surrogate-Key names. */
export async function findPublicArticleDocument({ db, slug, now }: { db: Db; slug: string; now: string }) {
  const row = await documentBySlug(db).get({ slug, now });
  if (!row) return undefined;
  return { id: row.id, productIds: row.productIds ? row.productIds.split(',').map(Number) : [], json: row.doc };
}

// Keyset: rows strictly after (publishedAt, id) in newest-first order; the first page passes a
// cursor past every row, so one prepared statement serves every page.
const summaryColumns = {
  id: articles.id,
  publishedAt: sql<string>`${articles.publishedAt}`,
  doc: jsonText(summaryDocument),
};
const beforeCursor = sql`(${articles.publishedAt}, ${articles.id}) < (${sql.placeholder('afterPublishedAt')}, ${sql.placeholder('afterId')})`;

const summaryPage = preparedPerLimit((db: Db, limit: number) =>
  db
    .select(summaryColumns)
    .from(articles)
    .where(and(isPublicAt(sql.placeholder('upper')), beforeCursor))
    .orderBy(...orderByWithLimit(limit, desc(articles.publishedAt), desc(articles.id)))
    .prepare(),
);

const summaryPageForTag = preparedPerLimit((db: Db, limit: number) =>
  db
    .select(summaryColumns)
    .from(articles)
    .innerJoin(articleTags, eq(articleTags.articleId, articles.id))
    .innerJoin(tags, eq(tags.id, articleTags.tagId))
    .where(and(eq(tags.slug, sql.placeholder('tag')), isPublicAt(sql.placeholder('upper')), beforeCursor))
    .orderBy(...orderByWithLimit(limit, desc(articles.publishedAt), desc(articles.id)))
    .prepare(),
);

const PAST_EVERY_ROW = { publishedAt: '\uffff', id: Number.MAX_SAFE_INTEGER };

/** Up to `limit` public article summaries as JSON documents, newest first, after the cursor. */
export async function listPublicSummaryDocuments({
  db,
  now,
  limit,
  after,
  tagSlug,
}: {
  db: Db;
  now: string;
  limit: number;
  after?: { publishedAt: string; id: number };
  tagSlug?: string;
}) {
  const from = after ?? PAST_EVERY_ROW;
  // The tighter of "due by now" and "not after the cursor" bounds the index range, so a deep
  // page starts at its cursor instead of walking every newer row.
  const upper = from.publishedAt < now ? from.publishedAt : now;
  const params = { upper, afterPublishedAt: from.publishedAt, afterId: from.id };
  return tagSlug ? summaryPageForTag(db, limit).all({ ...params, tag: tagSlug }) : summaryPage(db, limit).all(params);
}

const publicIdBySlug = preparedPer((db: Db) =>
  db
    .select({ id: articles.id })
    .from(articles)
    .where(and(eq(articles.slug, sql.placeholder('slug')), isPublicAt(sql.placeholder('now'))))
    .prepare(),
);

export async function findPublicArticleIdBySlug({
  db,
  slug,
  now,
}: {
  db: Db;
  slug: string;
  now: string;
}): Promise<number | undefined> {
  return (await publicIdBySlug(db).get({ slug, now }))?.id;
}
