import { and, asc, desc, eq, gte, lt, type Placeholder, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { tableThroughIndex } from '../../db/index-hints.js';
import { type JsonBuilder, jsonOf } from '../../db/json.js';
import { orderByWithLimit, preparedPer, preparedPerLimit } from '../../db/prepared.js';
import { type Db, type Tables, tablesOf } from '../../db/schema.js';
import { articleSearchHits, articleSearchPassages, articleSearchWindow, type IdWindow } from '../../db/text-search.js';
import { copiedInputs, isPublic } from '../../db/visibility.js';

// Public documents built as JSON by the database, in the exact shape of ArticleSchema and
// ArticleSummarySchema: one statement per read, and no per-request serialisation. The same
// builders serve both engines; each builds its own SQL once (documents are memoised per engine).

function documentsFor(t: Tables, json: JsonBuilder) {
  const { articleProducts, articles, articleTags, products, sections, tags, tips } = t;

  const imageOf = (table: { imageUrl: SQLWrapper; imageAlt: SQLWrapper; imageCaption: SQLWrapper }) =>
    json.objectOrNull(sql`${table.imageUrl} is null`, {
      url: table.imageUrl,
      alt: table.imageAlt,
      caption: table.imageCaption,
    });

  const tagsOfArticle = json.array({
    element: json.object({ slug: tags.slug, name: tags.name }),
    from: sql`${articleTags} join ${tags} on ${tags.id} = ${articleTags.tagId} where ${articleTags.articleId} = ${articles.id}`,
    orderBy: sql`${articleTags.position}`,
  });

  const tipsOfSection = json.array({
    element: json.object({
      id: tips.id,
      position: tips.position,
      title: tips.title,
      body: tips.body,
      image: imageOf(tips),
    }),
    from: sql`${tips} where ${tips.sectionId} = ${sections.id}`,
    orderBy: sql`${tips.position}`,
  });

  const sectionsOfArticle = json.array({
    element: json.object({
      id: sections.id,
      position: sections.position,
      heading: sections.heading,
      lead: sections.lead,
      tips: tipsOfSection,
    }),
    from: sql`${sections} where ${sections.articleId} = ${articles.id}`,
    orderBy: sql`${sections.position}`,
  });

  const productsOfArticle = json.array({
    element: json.object({
      slug: products.slug,
      name: products.name,
      summary: products.summary,
      url: products.url,
      image: imageOf(products),
      price: json.objectOrNull(sql`${products.priceAmount} is null`, {
        amount: products.priceAmount,
        currency: products.priceCurrency,
      }),
      badges: json.stringArray(products.badges),
      suitableFor: json.stringArray(products.suitableFor),
      inStock: json.boolean(products.inStock),
      placement: articleProducts.placement,
      afterSection: sql`(select ${sections.position} from ${sections} where ${sections.id} = ${articleProducts.afterSectionId})`,
      headline: articleProducts.headline,
      pitch: articleProducts.pitch,
    }),
    from: sql`${articleProducts} join ${products} on ${products.id} = ${articleProducts.productId} where ${articleProducts.articleId} = ${articles.id}`,
    orderBy: sql`${articleProducts.position}`,
  });

  // The ids behind the article's Surrogate-Key, as a JSON array beside the document.
  const productIdsOfArticle = json.array({
    element: articleProducts.productId,
    from: sql`${articleProducts} where ${articleProducts.articleId} = ${articles.id}`,
    orderBy: sql`${articleProducts.position}`,
  });

  const seoOfArticle = json.object({
    title: articles.seoTitle,
    description: articles.seoDescription,
    canonicalUrl: articles.seoCanonicalUrl,
    ogImage: articles.seoOgImage,
  });

  return {
    article: json.object({
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
    }),
    summary: json.object({
      id: articles.id,
      slug: articles.slug,
      title: articles.title,
      summary: articles.summary,
      image: imageOf(articles),
      tags: tagsOfArticle,
      publishedAt: articles.publishedAt,
      commentCount: articles.commentCount,
    }),
    productIds: productIdsOfArticle,
  };
}

const documents = preparedPer((db: Db) => documentsFor(tablesOf(db), jsonOf(db)));

const documentBySlug = preparedPer((db: Db) => {
  const { articles } = tablesOf(db);
  const json = jsonOf(db);
  const docs = documents(db);
  return db
    .select({ id: articles.id, productIds: json.text(docs.productIds), doc: json.text(docs.article) })
    .from(articles)
    .where(and(eq(articles.slug, sql.placeholder('slug')), isPublic(articles, sql.placeholder('now'))))
    .prepare('article_document_by_slug');
});

/** A published, due article as its public JSON document, with the ids its Surrogate-Key names. */
export async function findPublicArticleDocument({ db, slug, now }: { db: Db; slug: string; now: string }) {
  const [row] = await documentBySlug(db).execute({ slug, now });
  if (!row) return undefined;
  return { id: row.id, productIds: JSON.parse(row.productIds) as number[], json: row.doc };
}

// Keyset: newest first; a later page starts strictly after the cursor's (publishedAt, id), which
// also bounds the index range, so a deep page starts at its cursor instead of walking every newer row.
function summaryPage(db: Db, limit: number, paged: boolean) {
  const { articles } = tablesOf(db);
  const json = jsonOf(db);
  const conditions: SQL[] = [isPublic(articles, sql.placeholder('now'))];
  if (paged) {
    conditions.push(
      sql`(${articles.publishedAt}, ${articles.id}) < (${sql.placeholder('afterPublishedAt')}, ${sql.placeholder('afterId')})`,
    );
  }
  const columns = {
    id: articles.id,
    key: sql<string>`${articles.publishedAt}`,
    doc: json.text(documents(db).summary),
  };
  const order = orderByWithLimit(limit, desc(articles.publishedAt), desc(articles.id));
  const name = `article_summaries_all_${paged ? 'after' : 'first'}_${limit}`;
  return db
    .select(columns)
    .from(articles)
    .where(and(...conditions))
    .orderBy(...order)
    .prepare(name);
}

const pages = {
  all: preparedPerLimit((db: Db, limit: number) => summaryPage(db, limit, false)),
  allAfter: preparedPerLimit((db: Db, limit: number) => summaryPage(db, limit, true)),
};

export const ARTICLE_SORTS = ['-publishedAt', 'publishedAt', 'title'] as const;
export type ArticleSort = (typeof ARTICLE_SORTS)[number];

export interface SummaryFilters {
  /** Any of these tag slugs. */
  tagSlugs?: string[] | undefined;
  productSlug?: string | undefined;
  /** Published at or after (inclusive), an ISO timestamp. */
  publishedFrom?: string | undefined;
  /** Published strictly before, an ISO timestamp. */
  publishedUntil?: string | undefined;
}

type Param = string | Placeholder;

/** Filter values, or placeholders for them in a prepared statement. */
interface FilterParams {
  now: Param;
  tagSlugs: Param[];
  productSlug?: Param | undefined;
  publishedFrom?: Param | undefined;
  publishedUntil?: Param | undefined;
}

/** The article has any of these tags: a probe of article_tags' (article_id, tag_id) key, the ids resolved once from their slugs. */
function hasAnyTag(db: Db, articleId: SQLWrapper, tagSlugs: Param[]): SQL {
  const { articleTags, tags } = tablesOf(db);
  return sql`exists (select 1 from ${articleTags} where ${articleTags.articleId} = ${articleId} and ${articleTags.tagId} in (select ${tags.id} from ${tags} where ${tags.slug} in (${sql.join(tagSlugs, sql`, `)})))`;
}

/**
 * The public articles matching the filters, as conditions over `articles`: tags and product are
 * probes of a unique (article_id, tag_id | product_id) index, a semi-join per walked row.
 */
function filterConditions(db: Db, filters: FilterParams): SQL[] {
  const { articles, articleProducts, products } = tablesOf(db);
  const conditions: SQL[] = [isPublic(articles, filters.now)];
  const { tagSlugs, productSlug, publishedFrom, publishedUntil } = filters;
  if (tagSlugs.length) conditions.push(hasAnyTag(db, articles.id, tagSlugs));
  if (productSlug !== undefined)
    conditions.push(
      sql`exists (select 1 from ${articleProducts} where ${articleProducts.articleId} = ${articles.id} and ${articleProducts.productId} = (select ${products.id} from ${products} where ${products.slug} = ${productSlug}))`,
    );
  if (publishedFrom !== undefined) conditions.push(gte(articles.publishedAt, publishedFrom));
  if (publishedUntil !== undefined) conditions.push(lt(articles.publishedAt, publishedUntil));
  return conditions;
}

type Link = Tables['articleTags'] | Tables['articleProducts'];

/**
 * Links (of the tag or product `owner` names) whose article is public and in the date range, by
 * the copies of its keys the triggers of migration 0005 (SQLite) / 0006 (PostgreSQL) keep exact;
 * with `tagSlugs`, whose article also has one of those tags.
 */
function publicLinkConditions(db: Db, link: Link, owner: SQL, filters: Omit<FilterParams, 'productSlug'>): SQL[] {
  const { now, tagSlugs, publishedFrom, publishedUntil } = filters;
  const conditions: SQL[] = [owner, isPublic(copiedInputs(link), now)];
  if (publishedFrom !== undefined) conditions.push(gte(link.articlePublishedAt, publishedFrom as string));
  if (publishedUntil !== undefined) conditions.push(lt(link.articlePublishedAt, publishedUntil as string));
  if (tagSlugs.length) conditions.push(hasAnyTag(db, link.articleId, tagSlugs));
  return conditions;
}

/** The links of one product, or of one tag (or any of several: `tag_id in`), by slug. */
function linkOwner(db: Db, by: { tags: Param[] } | { product: Param }): SQL {
  const { articleTags, articleProducts, tags, products } = tablesOf(db);
  if ('product' in by)
    return sql`${articleProducts.productId} = (select ${products.id} from ${products} where ${products.slug} = ${by.product})`;
  const ids = sql`select ${tags.id} from ${tags} where ${tags.slug}`;
  // One tag as "=": an IN over the walk's first column would cost the walk its order.
  return by.tags.length === 1
    ? sql`${articleTags.tagId} = (${ids} = ${by.tags[0]})`
    : sql`${articleTags.tagId} in (${ids} in (${sql.join(by.tags, sql`, `)}))`;
}

/** Which filters a list has: one prepared statement per shape and page size. */
interface ListShape {
  sort: ArticleSort;
  tags: number;
  product: boolean;
  from: boolean;
  until: boolean;
  paged: boolean;
}

// Each order walks an index from the cursor on (articles_public_list_idx for dates, articles_title_idx for titles).
function articlesPage(db: Db, shape: ListShape, limit: number, name: string) {
  const { articles } = tablesOf(db);
  const column = shape.sort === 'title' ? articles.title : articles.publishedAt;
  const conditions = filterConditions(db, {
    now: sql.placeholder('now'),
    tagSlugs: [],
    publishedFrom: shape.from ? sql.placeholder('from') : undefined,
    publishedUntil: shape.until ? sql.placeholder('until') : undefined,
  });
  if (shape.paged) conditions.push(afterCursor(shape.sort, column, articles.id));
  const order = shape.sort === '-publishedAt' ? [desc(column), desc(articles.id)] : [asc(column), asc(articles.id)];
  const index = shape.sort === 'title' ? 'articles_title_idx' : 'articles_public_list_idx';
  return db
    .select({
      id: sql<number>`${articles.id}`,
      key: sql<string>`${column}`,
      doc: jsonOf(db).text(documents(db).summary),
    })
    .from(tableThroughIndex(db, articles, index))
    .where(and(...conditions))
    .orderBy(...orderByWithLimit(limit, ...order))
    .prepare(name);
}

/** Strictly after the cursor's (key, id) in the list's order. */
function afterCursor(sort: ArticleSort, key: SQLWrapper, id: SQLWrapper): SQL {
  const cursor = sql`(${sql.placeholder('afterKey')}, ${sql.placeholder('afterId')})`;
  return sort === '-publishedAt' ? sql`(${key}, ${id}) < ${cursor}` : sql`(${key}, ${id}) > ${cursor}`;
}

/**
 * One tag's or one product's public articles in the list's order, from the cursor on, as
 * (article_id, key) rows: a walk of article_tags_* / article_products_* (tag_id | product_id,
 * status, sort key, article_id; the title index also holds published_at), reading no link row.
 * `tagSlugs` are further checked per walked row.
 */
function linkWalk(db: Db, shape: ListShape, limit: number, by: { tag: Param } | { product: Param }, tagSlugs: Param[]) {
  const { articleTags, articleProducts } = tablesOf(db);
  const link = 'tag' in by ? articleTags : articleProducts;
  const key = shape.sort === 'title' ? link.articleTitle : link.articlePublishedAt;
  const conditions = publicLinkConditions(db, link, linkOwner(db, 'tag' in by ? { tags: [by.tag] } : by), {
    now: sql.placeholder('now'),
    tagSlugs,
    publishedFrom: shape.from ? sql.placeholder('from') : undefined,
    publishedUntil: shape.until ? sql.placeholder('until') : undefined,
  });
  if (shape.paged) conditions.push(afterCursor(shape.sort, key, link.articleId));
  const direction = shape.sort === '-publishedAt' ? sql`desc` : sql`asc`;
  const index = `${'tag' in by ? 'article_tags' : 'article_products'}_${shape.sort === 'title' ? 'title' : 'date'}_idx`;
  return sql`select ${link.articleId} as article_id, ${key} as list_key from ${tableThroughIndex(db, link, index)} where ${and(...conditions)} order by ${key} ${direction}, ${link.articleId} ${direction} limit ${sql.raw(String(limit))}`;
}

/**
 * A filtered page. With a product, its links are walked (tags checked per row); with tags, each
 * tag's links are walked and the walks merged, duplicates dropped (any-of: at most `limit` rows per
 * tag are sorted); otherwise the articles themselves. Only the page's rows get their document.
 */
function filteredPage(db: Db, shape: ListShape, limit: number, name: string) {
  if (!shape.product && shape.tags === 0) return articlesPage(db, shape, limit, name);
  const { articles } = tablesOf(db);
  const tagSlugs = Array.from({ length: shape.tags }, (_, i) => sql.placeholder(`tag${i}`));
  const walks = shape.product
    ? [linkWalk(db, shape, limit, { product: sql.placeholder('product') }, tagSlugs)]
    : tagSlugs.map((tag) => linkWalk(db, shape, limit, { tag }, []));
  const direction = shape.sort === '-publishedAt' ? sql`desc` : sql`asc`;
  // Each walk is a subquery: SQLite allows no ORDER BY or LIMIT on a bare member of a UNION.
  const merged =
    walks.length === 1
      ? walks[0]!
      : sql`${sql.join(
          walks.map((walk, i) => sql`select * from (${walk}) as ${sql.identifier(`walk${i}`)}`),
          sql` union `,
        )} order by list_key ${direction}, article_id ${direction} limit ${sql.raw(String(limit))}`;
  return (
    db
      .select({
        id: sql<number>`${articles.id}`,
        key: sql<string>`page.list_key`,
        doc: jsonOf(db).text(documents(db).summary),
      })
      // CROSS JOIN keeps the page as the outer loop on SQLite; PostgreSQL plans it freely.
      .from(sql`(${merged}) as page cross join ${articles}`)
      .where(sql`${articles.id} = page.article_id`)
      .orderBy(sql`page.list_key ${direction}`, sql`page.article_id ${direction}`)
      .prepare(name)
  );
}

const filteredPages = new WeakMap<Db, Map<string, ReturnType<typeof filteredPage>>>();

/** The statement's name, unique per shape and page size: also its key among the prepared ones. */
function statementName(shape: ListShape, limit: number): string {
  const order = shape.sort === 'title' ? 'title' : shape.sort === 'publishedAt' ? 'oldest' : 'newest';
  return `article_summaries_${order}_t${shape.tags}${shape.product ? '_p' : ''}${shape.from ? '_f' : ''}${shape.until ? '_u' : ''}${shape.paged ? '_after' : ''}_${limit}`;
}

function preparedFilteredPage(db: Db, shape: ListShape, limit: number) {
  let byName = filteredPages.get(db);
  if (byName === undefined) {
    byName = new Map();
    filteredPages.set(db, byName);
  }
  const name = statementName(shape, limit);
  let page = byName.get(name);
  if (page === undefined) {
    page = filteredPage(db, shape, limit, name);
    byName.set(name, page);
  }
  return page;
}

/**
 * Up to `limit` public article summaries as JSON documents in the given order, after the cursor's
 * (key, id), where key is the sort column. Each order walks an index from the cursor on: a
 * product's or each tag's links (filteredPage) when the list has one, else the articles; the date
 * range bounds a date order's walk and is checked per row in title order. Every shape of filters
 * is a statement prepared once.
 */
export async function listPublicSummaryDocuments({
  db,
  now,
  limit,
  sort = '-publishedAt',
  filters = {},
  after,
}: {
  db: Db;
  now: string;
  limit: number;
  sort?: ArticleSort;
  filters?: SummaryFilters;
  after?: { key: string; id: number } | undefined;
}): Promise<{ id: number; key: string; doc: string }[]> {
  const { tagSlugs = [], productSlug, publishedFrom, publishedUntil } = filters;
  const plain = productSlug === undefined && publishedFrom === undefined && publishedUntil === undefined;
  // Newest first, the tighter of "due by now" and "not after the cursor" bounds the index range.
  const upper = sort === '-publishedAt' && after && after.key < now ? after.key : now;
  if (sort === '-publishedAt' && plain && tagSlugs.length === 0) {
    // The plain list, prepared once.
    const params = { now: upper, ...(after ? { afterPublishedAt: after.key, afterId: after.id } : {}) };
    return (after ? pages.allAfter : pages.all)(db, limit).execute(params);
  }
  const shape: ListShape = {
    sort,
    tags: tagSlugs.length,
    product: productSlug !== undefined,
    from: publishedFrom !== undefined,
    until: publishedUntil !== undefined,
    paged: after !== undefined,
  };
  const params: Record<string, string | number> = { now: upper };
  tagSlugs.forEach((slug, i) => {
    params[`tag${i}`] = slug;
  });
  if (productSlug !== undefined) params.product = productSlug;
  if (publishedFrom !== undefined) params.from = publishedFrom;
  if (publishedUntil !== undefined) params.until = publishedUntil;
  if (after) Object.assign(params, { afterKey: after.key, afterId: after.id });
  return preparedFilteredPage(db, shape, limit).execute(params);
}

/**
 * How many public articles match the filters (for count=true). With a product or tags, a range of
 * their links' date index (several tags: their ranges, each article once); otherwise a range of
 * articles_public_list_idx. Neither reads an article row.
 */
export async function countPublicSummaries({ db, now, filters }: { db: Db; now: string; filters: SummaryFilters }) {
  const { articles, articleTags, articleProducts } = tablesOf(db);
  const { tagSlugs = [], productSlug, publishedFrom, publishedUntil } = filters;
  const counted = (from: SQL, conditions: SQL[], distinct?: SQLWrapper) =>
    db
      .select({ n: sql<number>`cast(count(${distinct ? sql`distinct ${distinct}` : sql`*`}) as integer)` })
      .from(from)
      .where(and(...conditions));
  let query: ReturnType<typeof counted>;
  if (productSlug === undefined && tagSlugs.length === 0) {
    query = counted(sql`${articles}`, filterConditions(db, { now, tagSlugs, publishedFrom, publishedUntil }));
  } else {
    const byProduct = productSlug !== undefined;
    const link = byProduct ? articleProducts : articleTags;
    const owner = linkOwner(db, byProduct ? { product: productSlug } : { tags: tagSlugs });
    const conditions = publicLinkConditions(db, link, owner, {
      now,
      tagSlugs: byProduct ? tagSlugs : [],
      publishedFrom,
      publishedUntil,
    });
    const index = byProduct ? 'article_products_date_idx' : 'article_tags_date_idx';
    // A product links an article once; several tags may each link it.
    query = counted(
      tableThroughIndex(db, link, index),
      conditions,
      !byProduct && tagSlugs.length > 1 ? link.articleId : undefined,
    );
  }
  const [row] = await query;
  return Number(row?.n ?? 0);
}

// Above every article id (PostgreSQL's integer ids end there): the first ranking window is open at the top.
const TOP = 2_147_483_647;

/** One window's public matches, most relevant first, after the cursor's (rank, id). */
function rankedPage(
  db: Db,
  now: string,
  words: string[],
  window: IdWindow,
  limit: number,
  after: { rank: number; id: number } | undefined,
) {
  const { articles } = tablesOf(db);
  const conditions: SQL[] = [sql`${articles.id} = hit.article_id`, isPublic(articles, now)];
  if (after) conditions.push(sql`(hit.rank, ${articles.id}) > (cast(${after.rank} as double precision), ${after.id})`);
  const page = db
    .select({ id: sql<number>`${articles.id}`.as('page_id'), rank: sql<number>`hit.rank`.as('page_rank') })
    // CROSS JOIN keeps the matches as the outer loop on SQLite (else it probes the index once per article); PostgreSQL plans it freely.
    .from(sql`${articleSearchHits(db, words, window)} as hit cross join ${articles}`)
    .where(and(...conditions))
    .orderBy(...orderByWithLimit(limit, sql`hit.rank`, sql`${articles.id}`))
    .as('page');
  return db
    .select({
      id: articles.id,
      rank: page.rank,
      doc: jsonOf(db).text(documents(db).summary),
    })
    .from(page)
    .innerJoin(articles, eq(articles.id, page.id))
    .orderBy(page.rank, page.id);
}

/** Where a search page stands: inside the window [from, below) of ids, after (rank, id). */
export interface SearchPosition {
  from: number;
  below: number;
  rank: number;
  id: number;
}

/**
 * Up to `limit` public articles holding every word, after the cursor's position. Matches are
 * ranked in windows of `rankWindow` by id (about as many on PostgreSQL: articleSearchWindow),
 * newest window first: within a window most relevant first (then by id), so a search matching
 * more than `rankWindow` articles scores only that many per page instead of every match. The page
 * is chosen on ids and ranks alone, then only its rows get their document, and then their
 * passages, in one more query. Each row carries its window, which the next cursor keeps.
 */
export async function searchPublicSummaryDocuments({
  db,
  now,
  words,
  limit,
  rankWindow,
  after,
}: {
  db: Db;
  now: string;
  words: string[];
  limit: number;
  rankWindow: number;
  after?: SearchPosition | undefined;
}) {
  let window = after ? { from: after.from, below: after.below } : await articleSearchWindow(db, words, TOP, rankWindow);
  let position = after && { rank: after.rank, id: after.id };
  const rows: { id: number; rank: number; doc: string; from: number; below: number }[] = [];
  for (;;) {
    const page = await rankedPage(db, now, words, window, limit - rows.length, position);
    rows.push(...page.map((row) => ({ ...row, ...window })));
    // A window starting at 0 holds every older match: nothing lies below it.
    if (rows.length >= limit || window.from === 0) break;
    window = await articleSearchWindow(db, words, window.from, rankWindow);
    position = undefined;
  }
  const passages = await findPassages(
    db,
    words,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({ ...row, passage: passages.get(row.id) ?? null }));
}

/** Each article's passage around the words, by id. */
async function findPassages(db: Db, words: string[], ids: number[]): Promise<Map<number, string | null>> {
  if (ids.length === 0) return new Map();
  const found = await db
    .select({ id: sql<number>`p.article_id`, passage: sql<string | null>`p.passage` })
    .from(sql`(${articleSearchPassages(db, words, ids)}) as p`);
  return new Map(found.map((row) => [Number(row.id), row.passage]));
}

const publicIdBySlug = preparedPer((db: Db) => {
  const { articles } = tablesOf(db);
  return db
    .select({ id: articles.id })
    .from(articles)
    .where(and(eq(articles.slug, sql.placeholder('slug')), isPublic(articles, sql.placeholder('now'))))
    .prepare('public_article_id_by_slug');
});

export async function findPublicArticleIdBySlug({
  db,
  slug,
  now,
}: {
  db: Db;
  slug: string;
  now: string;
}): Promise<number | undefined> {
  return (await publicIdBySlug(db).execute({ slug, now }))[0]?.id;
}

/**
 * An article of any status (a draft for a preview link) in the public document's shape, with its
 * preview epoch; never served on a public route.
 */
export async function findArticleDocumentById({ db, id }: { db: Db; id: number }) {
  const { articles } = tablesOf(db);
  const json = jsonOf(db);
  const [row] = await db
    .select({ doc: json.text(documents(db).article), previewEpoch: articles.previewEpoch })
    .from(articles)
    .where(eq(articles.id, id))
    .limit(1);
  return row && { json: row.doc, previewEpoch: row.previewEpoch };
}
