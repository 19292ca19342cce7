import { and, asc, desc, eq, gt, inArray, like, lt, lte, type SQL, sql } from 'drizzle-orm';
import { forUpdate } from '../../db/locks.js';
import { first } from '../../db/query.js';
import { type ArticleRow, type Db, type Tables, tablesOf } from '../../db/schema.js';
import { articleSearchText } from '../../db/text-search.js';
import { type DerivedStatus, isPublic, statusCondition } from '../../db/visibility.js';
import type { Image } from '../../http/common.schemas.js';
import { priceOf } from '../products/products.repository.js';
import type { ArticleProduct, Section, Tag } from './articles.schemas.js';

export function imageOf(url: string | null, alt: string | null, caption: string | null): Image | null {
  return url === null ? null : { url, alt, caption };
}

/** The editorial fields every article representation shares, from a row. */
export function articleContentOf(row: ArticleRow) {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    summary: row.summary,
    intro: row.intro,
    conclusion: row.conclusion,
    image: imageOf(row.imageUrl, row.imageAlt, row.imageCaption),
    seo: {
      title: row.seoTitle,
      description: row.seoDescription,
      canonicalUrl: row.seoCanonicalUrl,
      ogImage: row.seoOgImage,
    },
  };
}

/** The current slug of a public article that used to live at `slug`. */
export async function findPublicRedirect({
  db,
  slug,
  now,
}: {
  db: Db;
  slug: string;
  now: string;
}): Promise<string | undefined> {
  const { articles, articleSlugRedirects } = tablesOf(db);
  const row = await first(
    db
      .select({ slug: articles.slug })
      .from(articleSlugRedirects)
      .innerJoin(articles, eq(articles.id, articleSlugRedirects.articleId))
      .where(and(eq(articleSlugRedirects.slug, slug), isPublic(articles, now)))
      .limit(1),
  );
  return row?.slug;
}

export async function listTagsOfArticles({
  db,
  articleIds,
}: {
  db: Db;
  articleIds: number[];
}): Promise<Map<number, Tag[]>> {
  const { tags, articleTags } = tablesOf(db);
  const byArticle = new Map<number, Tag[]>();
  if (articleIds.length === 0) return byArticle;
  const rows = await db
    .select({ articleId: articleTags.articleId, slug: tags.slug, name: tags.name })
    .from(articleTags)
    .innerJoin(tags, eq(tags.id, articleTags.tagId))
    .where(inArray(articleTags.articleId, articleIds))
    .orderBy(asc(articleTags.articleId), asc(articleTags.position));
  for (const { articleId, slug, name } of rows) {
    const list = byArticle.get(articleId) ?? [];
    list.push({ slug, name });
    byArticle.set(articleId, list);
  }
  return byArticle;
}

/** Sections with their tips, in order, in two queries whatever the article's size. */
export async function listSectionsWithTips({ db, articleId }: { db: Db; articleId: number }): Promise<Section[]> {
  const { sections, tips } = tablesOf(db);
  const sectionRows = await db
    .select({ id: sections.id, position: sections.position, heading: sections.heading, lead: sections.lead })
    .from(sections)
    .where(eq(sections.articleId, articleId))
    .orderBy(asc(sections.position));
  const tipRows = await db
    .select({
      sectionId: tips.sectionId,
      id: tips.id,
      position: tips.position,
      title: tips.title,
      body: tips.body,
      imageUrl: tips.imageUrl,
      imageAlt: tips.imageAlt,
      imageCaption: tips.imageCaption,
    })
    .from(tips)
    .innerJoin(sections, eq(sections.id, tips.sectionId))
    .where(eq(sections.articleId, articleId))
    .orderBy(asc(sections.position), asc(tips.position));
  const bySection = new Map<number, Section>(sectionRows.map((s) => [s.id, { ...s, tips: [] }]));
  for (const t of tipRows) {
    bySection.get(t.sectionId)?.tips.push({
      id: t.id,
      position: t.position,
      title: t.title,
      body: t.body,
      image: imageOf(t.imageUrl, t.imageAlt, t.imageCaption),
    });
  }
  return [...bySection.values()];
}

export async function listProductsOfArticle({
  db,
  articleId,
}: {
  db: Db;
  articleId: number;
}): Promise<(ArticleProduct & { productId: number })[]> {
  const { sections, products, articleProducts } = tablesOf(db);
  const rows = await db
    .select({
      productId: products.id,
      slug: products.slug,
      name: products.name,
      summary: products.summary,
      url: products.url,
      imageUrl: products.imageUrl,
      imageAlt: products.imageAlt,
      imageCaption: products.imageCaption,
      priceAmount: products.priceAmount,
      priceCurrency: products.priceCurrency,
      badges: products.badges,
      suitableFor: products.suitableFor,
      inStock: products.inStock,
      placement: articleProducts.placement,
      afterSection: sections.position,
      headline: articleProducts.headline,
      pitch: articleProducts.pitch,
    })
    .from(articleProducts)
    .innerJoin(products, eq(products.id, articleProducts.productId))
    .leftJoin(sections, eq(sections.id, articleProducts.afterSectionId))
    .where(eq(articleProducts.articleId, articleId))
    .orderBy(asc(articleProducts.position));
  return rows.map((r) => ({
    productId: r.productId,
    slug: r.slug,
    name: r.name,
    summary: r.summary,
    url: r.url,
    image: imageOf(r.imageUrl, r.imageAlt, r.imageCaption),
    price: priceOf(r.priceAmount, r.priceCurrency),
    badges: r.badges,
    suitableFor: r.suitableFor,
    inStock: r.inStock,
    placement: r.placement,
    afterSection: r.afterSection,
    headline: r.headline,
    pitch: r.pitch,
  }));
}

export type NewArticle = Omit<Tables['articles']['$inferInsert'], 'id'>;
export type NewSection = { heading: string; lead: string | null };
export type NewTip = { title: string; body: string; image: Image | null };

export async function insertArticle({ db, values }: { db: Db; values: NewArticle }): Promise<number> {
  const { articles } = tablesOf(db);
  const [row] = await db.insert(articles).values(values).returning({ id: articles.id });
  return row!.id;
}

/** Finds each tag by slug, creating the missing ones, and returns their ids in the given order. */
export async function ensureTags({ db, tags: wanted }: { db: Db; tags: Tag[] }): Promise<number[]> {
  const { tags } = tablesOf(db);
  const ids: number[] = [];
  for (const tag of wanted) {
    await db.insert(tags).values(tag).onConflictDoNothing({ target: tags.slug });
    const row = await first(db.select({ id: tags.id }).from(tags).where(eq(tags.slug, tag.slug)).limit(1));
    if (row) ids.push(row.id);
  }
  return ids;
}

export async function replaceArticleTags({
  db,
  articleId,
  tagIds,
}: {
  db: Db;
  articleId: number;
  tagIds: number[];
}): Promise<void> {
  const { articleTags } = tablesOf(db);
  await db.delete(articleTags).where(eq(articleTags.articleId, articleId));
  if (tagIds.length === 0) return;
  await db.insert(articleTags).values(tagIds.map((tagId, i) => ({ articleId, tagId, position: i + 1 })));
}

export async function insertSection({
  db,
  articleId,
  position,
  section,
}: {
  db: Db;
  articleId: number;
  position: number;
  section: NewSection;
}): Promise<number> {
  const { sections } = tablesOf(db);
  const [row] = await db
    .insert(sections)
    .values({ articleId, position, heading: section.heading, lead: section.lead })
    .returning({ id: sections.id });
  return row!.id;
}

export async function insertTip({
  db,
  sectionId,
  position,
  tip,
}: {
  db: Db;
  sectionId: number;
  position: number;
  tip: NewTip;
}): Promise<number> {
  const { tips } = tablesOf(db);
  const [row] = await db
    .insert(tips)
    .values({
      sectionId,
      position,
      title: tip.title,
      body: tip.body,
      imageUrl: tip.image?.url ?? null,
      imageAlt: tip.image?.alt ?? null,
      imageCaption: tip.image?.caption ?? null,
    })
    .returning({ id: tips.id });
  return row!.id;
}

export async function findSectionIdByPosition({
  db,
  articleId,
  position,
}: {
  db: Db;
  articleId: number;
  position: number;
}): Promise<number | undefined> {
  const { sections } = tablesOf(db);
  const row = await first(
    db
      .select({ id: sections.id })
      .from(sections)
      .where(and(eq(sections.articleId, articleId), eq(sections.position, position)))
      .limit(1),
  );
  return row?.id;
}

export async function findArticleIdBySlug({ db, slug }: { db: Db; slug: string }): Promise<number | undefined> {
  const { articles } = tablesOf(db);
  const row = await first(db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)).limit(1));
  return row?.id;
}

export async function countArticles({ db }: { db: Db }): Promise<number> {
  const { articles } = tablesOf(db);
  const row = await first(db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(articles));
  return row?.n ?? 0;
}

export type { ArticleRow } from '../../db/schema.js';
export type ArticleStatusFilter = DerivedStatus;

export async function findArticleById({ db, id }: { db: Db; id: number }): Promise<ArticleRow | undefined> {
  const { articles } = tablesOf(db);
  return first(db.select().from(articles).where(eq(articles.id, id)).limit(1));
}

export async function updateArticle({
  db,
  id,
  values,
}: {
  db: Db;
  id: number;
  values: Partial<NewArticle>;
}): Promise<void> {
  const { articles } = tablesOf(db);
  if (Object.keys(values).length === 0) return;
  await db.update(articles).set(values).where(eq(articles.id, id));
}

/**
 * Rewrites the search text (table article_search, indexed by migration 0002) of the given articles,
 * or of every article, from their current rows: every article write calls it in its transaction.
 */
export async function rewriteArticleSearch({ db, articleIds }: { db: Db; articleIds?: number[] }): Promise<void> {
  const { articles, articleSearch } = tablesOf(db);
  if (articleIds?.length === 0) return;
  const which = articleIds ? inArray(articles.id, articleIds) : undefined;
  await db.delete(articleSearch).where(articleIds ? inArray(articleSearch.articleId, articleIds) : undefined);
  const text = articleSearchText(db);
  // As SQL: drizzle's key check would demand PostgreSQL's generated `document`, which the insert itself leaves out.
  await db.insert(articleSearch).select(
    db
      .select({
        articleId: articles.id,
        title: articles.title,
        headings: text.headings.as('headings'),
        body: text.body.as('body'),
      })
      .from(articles)
      .where(which)
      .getSQL(),
  );
}

/** Records that the article changed: a new revision (its admin ETag) and updatedAt. */
export async function touchArticle({ db, id, at }: { db: Db; id: number; at: string }): Promise<void> {
  const { articles } = tablesOf(db);
  await db
    .update(articles)
    .set({ revision: sql`${articles.revision} + 1`, updatedAt: at })
    .where(eq(articles.id, id));
}

export async function deleteArticle({ db, id }: { db: Db; id: number }): Promise<void> {
  const { articles } = tablesOf(db);
  await db.delete(articles).where(eq(articles.id, id));
}

/** Every article whatever its status, newest first by id, keyset-paginated; fetches limit + 1 rows. */
export async function listAllArticles({
  db,
  now,
  limit,
  beforeId,
  status,
  tagSlug,
}: {
  db: Db;
  now: string;
  limit: number;
  beforeId?: number;
  status?: ArticleStatusFilter;
  tagSlug?: string;
}) {
  const { articles, tags, articleTags } = tablesOf(db);
  const conditions: SQL[] = [];
  if (beforeId !== undefined) conditions.push(lt(articles.id, beforeId));
  if (status) conditions.push(statusCondition(articles, status, now));
  if (tagSlug) {
    conditions.push(
      inArray(
        articles.id,
        db
          .select({ id: articleTags.articleId })
          .from(articleTags)
          .innerJoin(tags, eq(tags.id, articleTags.tagId))
          .where(eq(tags.slug, tagSlug)),
      ),
    );
  }
  return db
    .select()
    .from(articles)
    .where(and(...conditions))
    .orderBy(desc(articles.id))
    .limit(limit + 1);
}

// ---- slugs in use and redirects

export async function findRedirect({ db, slug }: { db: Db; slug: string }): Promise<{ articleId: number } | undefined> {
  const { articleSlugRedirects } = tablesOf(db);
  return first(
    db
      .select({ articleId: articleSlugRedirects.articleId })
      .from(articleSlugRedirects)
      .where(eq(articleSlugRedirects.slug, slug))
      .limit(1),
  );
}

export async function listRedirectSlugs({ db, articleId }: { db: Db; articleId: number }): Promise<string[]> {
  const { articleSlugRedirects } = tablesOf(db);
  const rows = await db
    .select({ slug: articleSlugRedirects.slug })
    .from(articleSlugRedirects)
    .where(eq(articleSlugRedirects.articleId, articleId))
    .orderBy(asc(articleSlugRedirects.id));
  return rows.map((r) => r.slug);
}

export async function insertRedirect({
  db,
  slug,
  articleId,
  at,
}: {
  db: Db;
  slug: string;
  articleId: number;
  at: string;
}): Promise<void> {
  const { articleSlugRedirects } = tablesOf(db);
  await db.insert(articleSlugRedirects).values({ slug, articleId, createdAt: at });
}

export async function deleteRedirect({ db, slug }: { db: Db; slug: string }): Promise<boolean> {
  const { articleSlugRedirects } = tablesOf(db);
  const rows = await db
    .delete(articleSlugRedirects)
    .where(eq(articleSlugRedirects.slug, slug))
    .returning({ slug: articleSlugRedirects.slug });
  return rows.length > 0;
}

/** Slugs starting with `base` held by articles or redirects, to pick a free one. */
export async function listSlugsLike({ db, base }: { db: Db; base: string }): Promise<Set<string>> {
  const { articles, articleSlugRedirects } = tablesOf(db);
  const pattern = `${base}%`;
  const held = await db.select({ slug: articles.slug }).from(articles).where(like(articles.slug, pattern));
  const redirected = await db
    .select({ slug: articleSlugRedirects.slug })
    .from(articleSlugRedirects)
    .where(like(articleSlugRedirects.slug, pattern));
  return new Set([...held, ...redirected].map((r) => r.slug));
}

// ---- sections and tips

export async function findSectionById({ db, id }: { db: Db; id: number }) {
  const { sections } = tablesOf(db);
  return first(db.select().from(sections).where(eq(sections.id, id)).limit(1));
}

export async function findTipById({ db, id }: { db: Db; id: number }) {
  const { sections, tips } = tablesOf(db);
  return first(
    db
      .select({ id: tips.id, sectionId: tips.sectionId, position: tips.position, articleId: sections.articleId })
      .from(tips)
      .innerJoin(sections, eq(sections.id, tips.sectionId))
      .where(eq(tips.id, id))
      .limit(1),
  );
}

export async function listSectionIds({ db, articleId }: { db: Db; articleId: number }): Promise<number[]> {
  const { sections } = tablesOf(db);
  const rows = await db
    .select({ id: sections.id })
    .from(sections)
    .where(eq(sections.articleId, articleId))
    .orderBy(asc(sections.position));
  return rows.map((r) => r.id);
}

export async function listTipIds({ db, sectionId }: { db: Db; sectionId: number }): Promise<number[]> {
  const { tips } = tablesOf(db);
  const rows = await db
    .select({ id: tips.id })
    .from(tips)
    .where(eq(tips.sectionId, sectionId))
    .orderBy(asc(tips.position));
  return rows.map((r) => r.id);
}

export async function updateSection({
  db,
  id,
  values,
}: {
  db: Db;
  id: number;
  values: Partial<NewSection>;
}): Promise<void> {
  const { sections } = tablesOf(db);
  if (Object.keys(values).length === 0) return;
  await db.update(sections).set(values).where(eq(sections.id, id));
}

export async function updateTip({
  db,
  id,
  values,
}: {
  db: Db;
  id: number;
  values: Partial<Omit<Tables['tips']['$inferInsert'], 'id' | 'sectionId' | 'position'>>;
}): Promise<void> {
  const { tips } = tablesOf(db);
  if (Object.keys(values).length === 0) return;
  await db.update(tips).set(values).where(eq(tips.id, id));
}

export async function deleteSection({ db, id }: { db: Db; id: number }): Promise<void> {
  const { sections } = tablesOf(db);
  await db.delete(sections).where(eq(sections.id, id));
}

export async function deleteTip({ db, id }: { db: Db; id: number }): Promise<void> {
  const { tips } = tablesOf(db);
  await db.delete(tips).where(eq(tips.id, id));
}

// Moves every sibling out of the way first, then writes the final positions: a single
// "position = position + 1" would collide with the unique (parent, position) index mid-statement.
const PARKING_OFFSET = 1_000_000;

/** Writes `orderedIds` at positions 1…n among the children of one parent (sections of an article, tips of a section). */
async function renumber(
  db: Db,
  table: Tables['sections'] | Tables['tips'],
  parent: SQL,
  orderedIds: number[],
): Promise<void> {
  await db
    .update(table as Tables['sections'])
    .set({ position: sql`${table.position} + ${PARKING_OFFSET}` })
    .where(parent);
  for (const [i, id] of orderedIds.entries())
    await db
      .update(table as Tables['sections'])
      .set({ position: i + 1 })
      .where(eq(table.id, id));
}

export async function renumberSections({
  db,
  articleId,
  orderedIds,
}: {
  db: Db;
  articleId: number;
  orderedIds: number[];
}): Promise<void> {
  const { sections } = tablesOf(db);
  await renumber(db, sections, eq(sections.articleId, articleId), orderedIds);
}

export async function renumberTips({
  db,
  sectionId,
  orderedIds,
}: {
  db: Db;
  sectionId: number;
  orderedIds: number[];
}): Promise<void> {
  const { tips } = tablesOf(db);
  await renumber(db, tips, eq(tips.sectionId, sectionId), orderedIds);
}

/** The article, locked until the transaction ends: the first step of every check-then-write on it. */
export async function lockArticle({ db, id }: { db: Db; id: number }): Promise<ArticleRow | undefined> {
  const { articles } = tablesOf(db);
  return first(forUpdate(db, db.select().from(articles).where(eq(articles.id, id)).limit(1).$dynamic()));
}

/** Published articles whose date falls in (after, upTo]: scheduled ones that came due in that span. */
export async function listArticlesDueBetween({
  db,
  after,
  upTo,
}: {
  db: Db;
  after: string;
  upTo: string;
}): Promise<{ id: number; slug: string; publishedAt: string }[]> {
  const { articles } = tablesOf(db);
  const rows = await db
    .select({ id: articles.id, slug: articles.slug, publishedAt: articles.publishedAt })
    .from(articles)
    .where(and(eq(articles.status, 'published'), gt(articles.publishedAt, after), lte(articles.publishedAt, upTo)))
    .orderBy(asc(articles.publishedAt), asc(articles.id));
  return rows.map((r) => ({ id: r.id, slug: r.slug, publishedAt: r.publishedAt! }));
}

/** Invalidates every preview link of an article at once; false when there is no such article. */
export async function bumpPreviewEpoch({ db, id }: { db: Db; id: number }): Promise<boolean> {
  const { articles } = tablesOf(db);
  const rows = await db
    .update(articles)
    .set({ previewEpoch: sql`${articles.previewEpoch} + 1` })
    .where(eq(articles.id, id))
    .returning({ id: articles.id });
  return rows.length > 0;
}
