import { isDeepStrictEqual } from 'node:util';
import type { DatabaseHandles, Db } from '../../db/client.js';
import { type OutboxEventInput, recordEvents, surrogateKeysOf } from '../../db/outbox.js';
import { derivedStatus } from '../../db/visibility.js';
import { decodeCursor, splitPage } from '../../http/cursor.js';
import { conflict, notFound, ruleViolation } from '../../http/errors.js';
import { checkIfMatch } from '../../http/preconditions.js';
import { countAllComments } from '../comments/comments.repository.js';
import { findProductsByIds, replaceArticleProducts } from '../products/products.repository.js';
import type {
  AdminArticle,
  ArticleCreate,
  ArticlePatch,
  ArticleProductsPut,
  ImageInput,
  SectionCreate,
  SectionPatch,
  TipCreate,
  TipPatch,
} from './articles.admin.schemas.js';
import {
  type ArticleRow,
  type ArticleStatusFilter,
  articleContentOf,
  deleteArticle,
  deleteRedirect,
  deleteSection,
  deleteTip,
  ensureTags,
  findArticleById,
  findArticleIdBySlug,
  findRedirect,
  findSectionById,
  findTipById,
  insertArticle,
  insertRedirect,
  insertSection,
  insertTip,
  listAllArticles,
  listProductsOfArticle,
  listRedirectSlugs,
  listSectionIds,
  listSectionsWithTips,
  listSlugsLike,
  listTagsOfArticles,
  listTipIds,
  lockArticle,
  type NewArticle,
  renumberSections,
  renumberTips,
  replaceArticleTags,
  rewriteArticleSearch,
  touchArticle,
  updateArticle,
  updateSection,
  updateTip,
} from './articles.repository.js';
import { firstFreeSlug, slugify } from './slugs.js';

export interface WriteContext {
  db: DatabaseHandles;
  now: Date;
  /** The client's If-Match header, when it sent one. */
  ifMatch?: string | undefined;
}

/** The article's admin ETag: it changes with every write to the article or anything in it. */
export function articleEtag(article: { id: number; revision: number }): string {
  return `"article-${article.id}-r${article.revision}"`;
}

const imageColumns = (image: ImageInput | null | undefined) =>
  image === undefined
    ? {}
    : { imageUrl: image?.url ?? null, imageAlt: image?.alt ?? null, imageCaption: image?.caption ?? null };

export async function assembleAdminArticle({ db, id, now }: { db: Db; id: number; now: Date }): Promise<AdminArticle> {
  const row = await findArticleById({ db, id });
  if (!row) throw notFound(`No article has the id ${id}.`);
  const tags = await listTagsOfArticles({ db, articleIds: [id] });
  return {
    ...articleContentOf(row),
    tags: tags.get(id) ?? [],
    status: derivedStatus(row.status, row.publishedAt, now),
    publishedAt: row.publishedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    revision: row.revision,
    redirectsFrom: await listRedirectSlugs({ db, articleId: id }),
    sections: await listSectionsWithTips({ db, articleId: id }),
    products: await listProductsOfArticle({ db, articleId: id }),
  };
}

/** The article, locked for the rest of the transaction, refusing a stale If-Match. */
async function findCurrentArticle(tx: Db, id: number, ifMatch: string | undefined): Promise<ArticleRow> {
  const row = await lockArticle({ db: tx, id });
  if (!row) throw notFound(`No article has the id ${id}.`);
  checkIfMatch(ifMatch, articleEtag(row), 'article');
  return row;
}

/**
 * Every write to an article or its parts: one transaction that finds the article, checks If-Match,
 * applies the change, records a new revision if the article really changed, and reads the result back
 * before committing.
 */
async function writeArticle<T>(
  ctx: WriteContext,
  locate: number | ((tx: Db) => Promise<number>),
  change: (tx: Db, article: ArticleRow) => Promise<T>,
): Promise<{ article: AdminArticle; result: T }> {
  return ctx.db.withTransaction(async (tx) => {
    const id = typeof locate === 'number' ? locate : await locate(tx);
    const row = await findCurrentArticle(tx, id, ctx.ifMatch);
    const before = await assembleAdminArticle({ db: tx, id, now: ctx.now });
    const result = await change(tx, row);
    const after = await assembleAdminArticle({ db: tx, id, now: ctx.now });
    // A change that changes nothing keeps the revision, so other editors' If-Match stays valid.
    if (isDeepStrictEqual(before, after)) return { article: before, result };
    const at = ctx.now.toISOString();
    await touchArticle({ db: tx, id, at });
    await rewriteArticleSearch({ db: tx, articleIds: [id] });
    await recordEvents({ tx, events: articleEvents(before, after), at });
    return { article: { ...after, revision: row.revision + 1, updatedAt: at }, result };
  });
}

/**
 * What a change means to the public: drafts and scheduled articles are not public, so editing them
 * says nothing; a slug change stands for an update too. Products linked before or after are touched.
 */
export function articleEvents(before: AdminArticle, after: AdminArticle): OutboxEventInput[] {
  const wasPublic = before.status === 'published';
  const isPublic = after.status === 'published';
  if (!wasPublic && !isPublic) return [];
  const productIds = [...new Set([...before.products, ...after.products].map((p) => p.productId))];
  const base = {
    kind: 'article' as const,
    resourceId: after.id,
    slug: after.slug,
    surrogateKeys: surrogateKeysOf.article(after.id, productIds),
  };
  if (!wasPublic) return [{ type: 'article.published', ...base }];
  if (!isPublic) return [{ type: 'article.unpublished', ...base }];
  if (before.slug !== after.slug) return [{ type: 'article.slug_changed', ...base, previousSlug: before.slug }];
  return [{ type: 'article.updated', ...base }];
}

/** A slug the article may take: explicit ones must be free; derived ones are made free. */
async function claimSlug(
  tx: Db,
  { wanted, title, articleId }: { wanted?: string | undefined; title: string; articleId?: number },
): Promise<string> {
  if (wanted === undefined) {
    const base = slugify(title) || 'article';
    return firstFreeSlug(base, await listSlugsLike({ db: tx, base }));
  }
  const owner = await findArticleIdBySlug({ db: tx, slug: wanted });
  if (owner !== undefined && owner !== articleId) throw conflict(`The slug "${wanted}" is taken by article ${owner}.`);
  const redirect = await findRedirect({ db: tx, slug: wanted });
  if (redirect && redirect.articleId !== articleId) {
    throw conflict(
      `The slug "${wanted}" still redirects to article ${redirect.articleId}; release it with DELETE /v1/admin/redirects/${wanted} first.`,
    );
  }
  // Taking back one of its own old slugs: that slug no longer redirects.
  if (redirect) await deleteRedirect({ db: tx, slug: wanted });
  return wanted;
}

async function setTags(tx: Db, articleId: number, names: string[]): Promise<void> {
  const wanted = names.map((name, index) => ({ slug: slugify(name, 60), name: name.trim(), index }));
  const empty = wanted.filter((t) => t.slug === '');
  if (empty.length > 0) {
    throw ruleViolation(
      'A tag needs at least one letter or digit.',
      empty.map((t) => ({ location: 'body', pointer: `/tags/${t.index}`, message: 'No letters or digits' })),
    );
  }
  const unique = [...new Map(wanted.map((t) => [t.slug, { slug: t.slug, name: t.name }])).values()];
  await replaceArticleTags({ db: tx, articleId, tagIds: await ensureTags({ db: tx, tags: unique }) });
}

async function insertTips(
  tx: Db,
  sectionId: number,
  tips: TipCreate[] | SectionCreate['tips'],
  from = 1,
): Promise<void> {
  for (const [i, tip] of tips.entries()) {
    await insertTip({
      db: tx,
      sectionId,
      position: from + i,
      tip: {
        title: tip.title,
        body: tip.body,
        image: tip.image
          ? { url: tip.image.url, alt: tip.image.alt ?? null, caption: tip.image.caption ?? null }
          : null,
      },
    });
  }
}

function seoColumns(seo: ArticleCreate['seo']): Partial<NewArticle> {
  if (!seo) return {};
  return {
    ...(seo.title !== undefined ? { seoTitle: seo.title } : {}),
    ...(seo.description !== undefined ? { seoDescription: seo.description } : {}),
    ...(seo.canonicalUrl !== undefined ? { seoCanonicalUrl: seo.canonicalUrl } : {}),
    ...(seo.ogImage !== undefined ? { seoOgImage: seo.ogImage } : {}),
  };
}

function textColumns(input: ArticlePatch): Partial<NewArticle> {
  const columns: Partial<NewArticle> = {};
  if (input.title !== undefined) columns.title = input.title;
  if (input.summary !== undefined) columns.summary = input.summary;
  if (input.intro !== undefined) columns.intro = input.intro;
  if (input.conclusion !== undefined) columns.conclusion = input.conclusion;
  return { ...columns, ...imageColumns(input.image), ...seoColumns(input.seo) };
}

/** The whole article, with its sections and tips, in one transaction; a new article is a draft. */
export async function createArticle(ctx: Omit<WriteContext, 'ifMatch'>, input: ArticleCreate): Promise<AdminArticle> {
  const at = ctx.now.toISOString();
  return ctx.db.withTransaction(async (tx) => {
    const slug = await claimSlug(tx, { wanted: input.slug, title: input.title });
    const id = await insertArticle({
      db: tx,
      values: {
        ...textColumns(input),
        title: input.title,
        slug,
        status: 'draft',
        publishedAt: null,
        createdAt: at,
        updatedAt: at,
      },
    });
    await setTags(tx, id, input.tags ?? []);
    for (const [s, section] of input.sections.entries()) {
      const sectionId = await insertSection({
        db: tx,
        articleId: id,
        position: s + 1,
        section: { heading: section.heading, lead: section.lead ?? null },
      });
      await insertTips(tx, sectionId, section.tips);
    }
    await rewriteArticleSearch({ db: tx, articleIds: [id] });
    return assembleAdminArticle({ db: tx, id, now: ctx.now });
  });
}

export async function patchArticle(ctx: WriteContext, id: number, input: ArticlePatch): Promise<AdminArticle> {
  const { article } = await writeArticle(ctx, id, async (tx, row) => {
    const values = textColumns(input);
    if (input.slug !== undefined && input.slug !== row.slug) {
      values.slug = await claimSlug(tx, { wanted: input.slug, title: row.title, articleId: id });
      await insertRedirect({ db: tx, slug: row.slug, articleId: id, at: ctx.now.toISOString() });
    }
    await updateArticle({ db: tx, id, values });
    if (input.tags !== undefined) await setTags(tx, id, input.tags);
  });
  return article;
}

export async function publishArticle(
  ctx: WriteContext,
  id: number,
  publishedAt: string | undefined,
): Promise<AdminArticle> {
  const { article } = await writeArticle(ctx, id, async (tx, row) => {
    if ((await listSectionIds({ db: tx, articleId: id })).length === 0)
      throw ruleViolation('An article needs at least one section to be published.');
    // Publishing a published, due article again keeps its date, so it does not jump to the top of the feed;
    // a scheduled one with no date is published now, as documented.
    const now = ctx.now.toISOString();
    const kept =
      row.status === 'published' && row.publishedAt !== null && row.publishedAt <= now ? row.publishedAt : null;
    const at = publishedAt ? new Date(publishedAt).toISOString() : (kept ?? now);
    await updateArticle({ db: tx, id, values: { status: 'published', publishedAt: at } });
  });
  return article;
}

export async function unpublishArticle(ctx: WriteContext, id: number): Promise<AdminArticle> {
  const { article } = await writeArticle(ctx, id, (tx) =>
    updateArticle({ db: tx, id, values: { status: 'draft', publishedAt: null } }),
  );
  return article;
}

export async function removeArticle(ctx: WriteContext, id: number): Promise<void> {
  await ctx.db.withTransaction(async (tx) => {
    const row = await findCurrentArticle(tx, id, ctx.ifMatch);
    const comments = await countAllComments({ db: tx, articleId: id });
    if (comments > 0)
      throw conflict(`The article has ${comments} comment(s), whose moderation history is kept; unpublish it instead.`);
    const products = await listProductsOfArticle({ db: tx, articleId: id });
    await deleteArticle({ db: tx, id });
    if (derivedStatus(row.status, row.publishedAt, ctx.now) !== 'published') return;
    const keys = surrogateKeysOf.article(
      id,
      products.map((p) => p.productId),
    );
    await recordEvents({
      tx,
      events: [{ type: 'article.deleted', kind: 'article', resourceId: id, slug: row.slug, surrogateKeys: keys }],
      at: ctx.now.toISOString(),
    });
  });
}

export async function releaseRedirect({ db }: { db: DatabaseHandles }, slug: string): Promise<void> {
  // Thrown inside, so a missing redirect rolls back and commits nothing (not even a content version).
  await db.withTransaction(async (tx) => {
    if (!(await deleteRedirect({ db: tx, slug }))) throw notFound(`No redirect starts at "${slug}".`);
  });
}

// ---- sections

function checkPosition(position: number | undefined, max: number, field = '/position'): number {
  if (position === undefined) return max;
  if (position > max)
    throw ruleViolation(`Position ${position} is beyond the end (at most ${max}).`, [
      { location: 'body', pointer: field, message: `At most ${max}` },
    ]);
  return position;
}

function placeAt(ids: number[], id: number, position: number): number[] {
  const rest = ids.filter((other) => other !== id);
  rest.splice(position - 1, 0, id);
  return rest;
}

export async function addSection(ctx: WriteContext, articleId: number, input: SectionCreate) {
  return writeArticle(ctx, articleId, async (tx) => {
    const ids = await listSectionIds({ db: tx, articleId });
    const position = checkPosition(input.position, ids.length + 1);
    const sectionId = await insertSection({
      db: tx,
      articleId,
      position: ids.length + 1,
      section: { heading: input.heading, lead: input.lead ?? null },
    });
    await insertTips(tx, sectionId, input.tips);
    if (position !== ids.length + 1)
      await renumberSections({ db: tx, articleId, orderedIds: placeAt([...ids, sectionId], sectionId, position) });
    return sectionId;
  });
}

async function sectionArticle(tx: Db, sectionId: number): Promise<number> {
  const section = await findSectionById({ db: tx, id: sectionId });
  if (!section) throw notFound(`No section has the id ${sectionId}.`);
  return section.articleId;
}

export async function patchSection(ctx: WriteContext, sectionId: number, input: SectionPatch): Promise<AdminArticle> {
  const { article } = await writeArticle(
    ctx,
    (tx) => sectionArticle(tx, sectionId),
    async (tx, row) => {
      await updateSection({
        db: tx,
        id: sectionId,
        values: {
          ...(input.heading !== undefined ? { heading: input.heading } : {}),
          ...(input.lead !== undefined ? { lead: input.lead } : {}),
        },
      });
      if (input.position === undefined) return;
      const ids = await listSectionIds({ db: tx, articleId: row.id });
      const position = checkPosition(input.position, ids.length);
      await renumberSections({ db: tx, articleId: row.id, orderedIds: placeAt(ids, sectionId, position) });
    },
  );
  return article;
}

export async function removeSection(ctx: WriteContext, sectionId: number): Promise<AdminArticle> {
  const { article } = await writeArticle(
    ctx,
    (tx) => sectionArticle(tx, sectionId),
    async (tx, row) => {
      await deleteSection({ db: tx, id: sectionId });
      await renumberSections({
        db: tx,
        articleId: row.id,
        orderedIds: await listSectionIds({ db: tx, articleId: row.id }),
      });
    },
  );
  return article;
}

// ---- tips

export async function addTip(ctx: WriteContext, sectionId: number, input: TipCreate) {
  return writeArticle(
    ctx,
    (tx) => sectionArticle(tx, sectionId),
    async (tx) => {
      const ids = await listTipIds({ db: tx, sectionId });
      const position = checkPosition(input.position, ids.length + 1);
      await insertTips(tx, sectionId, [input], ids.length + 1);
      const after = await listTipIds({ db: tx, sectionId });
      const tipId = after[after.length - 1]!;
      if (position !== ids.length + 1)
        await renumberTips({ db: tx, sectionId, orderedIds: placeAt(after, tipId, position) });
      return tipId;
    },
  );
}

async function tipLocation(tx: Db, tipId: number) {
  const tip = await findTipById({ db: tx, id: tipId });
  if (!tip) throw notFound(`No tip has the id ${tipId}.`);
  return tip;
}

export async function patchTip(ctx: WriteContext, tipId: number, input: TipPatch): Promise<AdminArticle> {
  const { article } = await writeArticle(
    ctx,
    async (tx) => (await tipLocation(tx, tipId)).articleId,
    async (tx) => {
      const tip = await tipLocation(tx, tipId);
      await updateTip({
        db: tx,
        id: tipId,
        values: {
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.body !== undefined ? { body: input.body } : {}),
          ...imageColumns(input.image),
        },
      });
      if (input.position === undefined) return;
      const ids = await listTipIds({ db: tx, sectionId: tip.sectionId });
      await renumberTips({
        db: tx,
        sectionId: tip.sectionId,
        orderedIds: placeAt(ids, tipId, checkPosition(input.position, ids.length)),
      });
    },
  );
  return article;
}

export async function removeTip(ctx: WriteContext, tipId: number): Promise<AdminArticle> {
  const { article } = await writeArticle(
    ctx,
    async (tx) => (await tipLocation(tx, tipId)).articleId,
    async (tx) => {
      const tip = await tipLocation(tx, tipId);
      await deleteTip({ db: tx, id: tipId });
      await renumberTips({
        db: tx,
        sectionId: tip.sectionId,
        orderedIds: await listTipIds({ db: tx, sectionId: tip.sectionId }),
      });
    },
  );
  return article;
}

// ---- product links

export async function setArticleProducts(
  ctx: WriteContext,
  articleId: number,
  input: ArticleProductsPut,
): Promise<AdminArticle> {
  const { article } = await writeArticle(ctx, articleId, async (tx) => {
    const sectionIds = await listSectionIds({ db: tx, articleId });
    const known = new Set(
      (await findProductsByIds({ db: tx, ids: input.products.map((p) => p.productId) })).map((p) => p.id),
    );
    const seen = new Set<number>();
    const errors = input.products.flatMap((link, i) => {
      const problems: { location: 'body'; pointer: string; message: string }[] = [];
      if (!known.has(link.productId))
        problems.push({
          location: 'body',
          pointer: `/products/${i}/productId`,
          message: `No product has the id ${link.productId}`,
        });
      if (seen.has(link.productId))
        problems.push({ location: 'body', pointer: `/products/${i}/productId`, message: 'Listed twice' });
      if (link.afterSection != null && link.afterSection > sectionIds.length) {
        problems.push({
          location: 'body',
          pointer: `/products/${i}/afterSection`,
          message: `The article has ${sectionIds.length} section(s)`,
        });
      }
      seen.add(link.productId);
      return problems;
    });
    if (errors.length > 0) throw ruleViolation('Some product links cannot be made.', errors);
    await replaceArticleProducts({
      db: tx,
      articleId,
      links: input.products.map((link, i) => ({
        productId: link.productId,
        position: i + 1,
        placement: link.placement,
        afterSectionId: link.afterSection == null ? null : sectionIds[link.afterSection - 1]!,
        headline: link.headline ?? null,
        pitch: link.pitch ?? null,
      })),
    });
  });
  return article;
}

// ---- reads

/** Read in one snapshot: the ETag (revision) always describes exactly the body sent with it. */
export async function getAdminArticle(
  { db, now }: { db: DatabaseHandles; now: Date },
  id: number,
): Promise<AdminArticle> {
  return db.withTransaction((tx) => assembleAdminArticle({ db: tx, id, now }), { readOnly: true });
}

export async function listAdminArticles(
  { db, now }: { db: DatabaseHandles; now: Date },
  query: {
    limit: number;
    cursor?: string | undefined;
    status?: ArticleStatusFilter | undefined;
    tag?: string | undefined;
  },
) {
  const after = decodeCursor<[number]>(query.cursor, ['number']);
  const rows = await listAllArticles({
    db: db.read,
    now: now.toISOString(),
    limit: query.limit,
    ...(after ? { beforeId: after[0] } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.tag ? { tagSlug: query.tag } : {}),
  });
  const page = splitPage(rows, query.limit, (r) => [r.id]);
  const tags = await listTagsOfArticles({ db: db.read, articleIds: page.rows.map((r) => r.id) });
  return {
    data: page.rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      title: r.title,
      summary: r.summary,
      status: derivedStatus(r.status, r.publishedAt, now),
      publishedAt: r.publishedAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      tags: tags.get(r.id) ?? [],
    })),
    meta: { limit: query.limit, nextCursor: page.nextCursor },
  };
}
