import { and, asc, desc, eq, gt, inArray, like, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  articleProducts,
  articleSlugRedirects,
  articles,
  articleTags,
  products,
  sections,
  tags,
  tips,
} from '../../db/schema.js';
import type { Image } from '../../http/common.schemas.js';
import { priceOf } from '../products/products.repository.js';
import type { ArticleProduct, Section, Tag } from './articles.schemas.js';

/** Published and due: the only articles the public may know exist. */
export function isPublic(now: string): SQL {
  return and(eq(articles.status, 'published'), lte(articles.publishedAt, now))!;
}

export function imageOf(url: string | null, alt: string | null, caption: string | null): Image | null {
  return url === null ? null : { url, alt, caption };
}

/** The editorial fields every article representation shares, from a row. */
export function articleContentOf(row: typeof articles.$inferSelect) {
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
  const row = await db
    .select({ slug: articles.slug })
    .from(articleSlugRedirects)
    .innerJoin(articles, eq(articles.id, articleSlugRedirects.articleId))
    .where(and(eq(articleSlugRedirects.slug, slug), isPublic(now)))
    .get();
  return row?.slug;
}

export async function listTagsOfArticles({
  db,
  articleIds,
}: {
  db: Db;
  articleIds: number[];
}): Promise<Map<number, Tag[]>> {
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

export type NewArticle = Omit<typeof articles.$inferInsert, 'id'>;
export type NewSection = { heading: string; lead: string | null };
export type NewTip = { title: string; body: string; image: Image | null };

export async function insertArticle({ db, values }: { db: Db; values: NewArticle }): Promise<number> {
  const row = await db.insert(articles).values(values).returning({ id: articles.id }).get();
  return row.id;
}

/** Finds each tag by slug, creating the missing ones, and returns their ids in the given order. */
export async function ensureTags({ db, tags: wanted }: { db: Db; tags: Tag[] }): Promise<number[]> {
  const ids: number[] = [];
  for (const tag of wanted) {
    await db.insert(tags).values(tag).onConflictDoNothing({ target: tags.slug });
    const row = await db.select({ id: tags.id }).from(tags).where(eq(tags.slug, tag.slug)).get();
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
  const row = await db
    .insert(sections)
    .values({ articleId, position, heading: section.heading, lead: section.lead })
    .returning({ id: sections.id })
    .get();
  return row.id;
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
  const row = await db
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
    .returning({ id: tips.id })
    .get();
  return row.id;
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
  const row = await db
    .select({ id: sections.id })
    .from(sections)
    .where(and(eq(sections.articleId, articleId), eq(sections.position, position)))
    .get();
  return row?.id;
}

export async function findArticleIdBySlug({ db, slug }: { db: Db; slug: string }): Promise<number | undefined> {
  const row = await db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)).get();
  return row?.id;
}

export async function countArticles({ db }: { db: Db }): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(articles).get();
  return row?.n ?? 0;
}

export type ArticleRow = typeof articles.$inferSelect;
export type ArticleStatusFilter = 'draft' | 'scheduled' | 'published';

export async function findArticleById({ db, id }: { db: Db; id: number }): Promise<ArticleRow | undefined> {
  return db.select().from(articles).where(eq(articles.id, id)).get();
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
  if (Object.keys(values).length === 0) return;
  await db.update(articles).set(values).where(eq(articles.id, id));
}

/** Records that the article changed: a new revision (its admin ETag) and updatedAt. */
export async function touchArticle({ db, id, at }: { db: Db; id: number; at: string }): Promise<void> {
  await db
    .update(articles)
    .set({ revision: sql`${articles.revision} + 1`, updatedAt: at })
    .where(eq(articles.id, id));
}

export async function deleteArticle({ db, id }: { db: Db; id: number }): Promise<void> {
  await db.delete(articles).where(eq(articles.id, id));
}

function statusCondition(status: ArticleStatusFilter, now: string): SQL {
  if (status === 'draft') return eq(articles.status, 'draft');
  if (status === 'scheduled') return and(eq(articles.status, 'published'), gt(articles.publishedAt, now))!;
  return isPublic(now);
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
  const conditions: SQL[] = [];
  if (beforeId !== undefined) conditions.push(lt(articles.id, beforeId));
  if (status) conditions.push(statusCondition(status, now));
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
  return db
    .select({ articleId: articleSlugRedirects.articleId })
    .from(articleSlugRedirects)
    .where(eq(articleSlugRedirects.slug, slug))
    .get();
}

export async function listRedirectSlugs({ db, articleId }: { db: Db; articleId: number }): Promise<string[]> {
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
  await db.insert(articleSlugRedirects).values({ slug, articleId, createdAt: at });
}

export async function deleteRedirect({ db, slug }: { db: Db; slug: string }): Promise<boolean> {
  const rows = await db
    .delete(articleSlugRedirects)
    .where(eq(articleSlugRedirects.slug, slug))
    .returning({ slug: articleSlugRedirects.slug });
  return rows.length > 0;
}

/** Slugs starting with `base` held by articles or redirects, to pick a free one. */
export async function listSlugsLike({ db, base }: { db: Db; base: string }): Promise<Set<string>> {
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
  return db.select().from(sections).where(eq(sections.id, id)).get();
}

export async function findTipById({ db, id }: { db: Db; id: number }) {
  return db
    .select({ id: tips.id, sectionId: tips.sectionId, position: tips.position, articleId: sections.articleId })
    .from(tips)
    .innerJoin(sections, eq(sections.id, tips.sectionId))
    .where(eq(tips.id, id))
    .get();
}

export async function listSectionIds({ db, articleId }: { db: Db; articleId: number }): Promise<number[]> {
  const rows = await db
    .select({ id: sections.id })
    .from(sections)
    .where(eq(sections.articleId, articleId))
    .orderBy(asc(sections.position));
  return rows.map((r) => r.id);
}

export async function listTipIds({ db, sectionId }: { db: Db; sectionId: number }): Promise<number[]> {
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
  values: Partial<Omit<typeof tips.$inferInsert, 'id' | 'sectionId' | 'position'>>;
}): Promise<void> {
  if (Object.keys(values).length === 0) return;
  await db.update(tips).set(values).where(eq(tips.id, id));
}

export async function deleteSection({ db, id }: { db: Db; id: number }): Promise<void> {
  await db.delete(sections).where(eq(sections.id, id));
}

export async function deleteTip({ db, id }: { db: Db; id: number }): Promise<void> {
  await db.delete(tips).where(eq(tips.id, id));
}

// Moves every sibling out of the way first, then writes the final positions: a single
// "position = position + 1" would collide with the unique (parent, position) index mid-statement.
const PARKING_OFFSET = 1_000_000;

/** Writes `orderedIds` at positions 1…n among the children of one parent (sections of an article, tips of a section). */
async function renumber(
  db: Db,
  table: typeof sections | typeof tips,
  parent: SQL,
  orderedIds: number[],
): Promise<void> {
  await db
    .update(table)
    .set({ position: sql`${table.position} + ${PARKING_OFFSET}` })
    .where(parent);
  for (const [i, id] of orderedIds.entries())
    await db
      .update(table)
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
  await renumber(db, tips, eq(tips.sectionId, sectionId), orderedIds);
}
