import {
  aliasedTable,
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  inArray,
  isNull,
  lt,
  lte,
  max,
  or,
  type SQL,
  type SQLWrapper,
  sql,
  sum,
} from 'drizzle-orm';
import { jsonOf } from '../../db/json.js';
import { forUpdate } from '../../db/locks.js';
import { orderByWithLimit, preparedPer, preparedPerLimit } from '../../db/prepared.js';
import { first, unindexed } from '../../db/query.js';
import {
  type CommentRow,
  type CommentStatus,
  type Db,
  dialectOf,
  type ModerationEventRow,
  type Tables,
  tablesOf,
} from '../../db/schema.js';
import {
  batchCommentTextPlan,
  type CommentSearch,
  type CommentTextPlan,
  commentSearchOf,
  commentTextMatch,
  commentTextPlan,
  newestCommentTextMatch,
  searchWords,
} from '../../db/text-search.js';

export type { CommentRow, ModerationEventRow } from '../../db/schema.js';

type Comments = Tables['comments'];

/** Approved, not deleted, and (for a reply) under a root that is itself visible. */
function isVisible(comments: Comments, parent: Comments): SQL {
  return and(
    eq(comments.status, 'approved'),
    isNull(comments.deletedAt),
    or(isNull(comments.parentId), and(eq(parent.status, 'approved'), isNull(parent.deletedAt))),
  )!;
}

export interface ThreadCursor {
  createdAt: string;
  id: number;
}

export type NewComment = Omit<Tables['comments']['$inferInsert'], 'id'>;

const COMMENT_COLUMNS = [
  'articleId',
  'parentId',
  'authorName',
  'authorEmail',
  'body',
  'status',
  'addressHash',
  'contentHash',
  'spamScore',
  'spamSignals',
  'createdAt',
  'updatedAt',
  'deletedAt',
] as const;

// Submission is the write path readers hit: its statements are prepared once per connection.
const insertCommentQuery = preparedPer((db: Db) => {
  const { comments } = tablesOf(db);
  return db
    .insert(comments)
    .values(
      Object.fromEntries(COMMENT_COLUMNS.map((column) => [column, sql.placeholder(column)])) as unknown as NewComment,
    )
    .returning({ id: comments.id })
    .prepare('insert_comment');
});

export async function insertComment({ db, values }: { db: Db; values: NewComment }): Promise<number> {
  const [row] = await insertCommentQuery(db).execute({
    ...values,
    parentId: values.parentId ?? null,
    addressHash: values.addressHash ?? null,
    spamScore: values.spamScore ?? 0,
    spamSignals: values.spamSignals ?? {},
    deletedAt: values.deletedAt ?? null,
  });
  return row!.id;
}

const EVENT_COLUMNS = ['commentId', 'fromStatus', 'toStatus', 'actor', 'note', 'at'] as const;
const insertEventQuery = preparedPer((db: Db) => {
  const { moderationEvents } = tablesOf(db);
  return db
    .insert(moderationEvents)
    .values(
      Object.fromEntries(
        EVENT_COLUMNS.map((column) => [column, sql.placeholder(column)]),
      ) as unknown as Tables['moderationEvents']['$inferInsert'],
    )
    .prepare('insert_moderation_event');
});

export async function insertModerationEvent({
  db,
  values,
}: {
  db: Db;
  values: Omit<Tables['moderationEvents']['$inferInsert'], 'id'>;
}): Promise<void> {
  await insertEventQuery(db).execute({ ...values, fromStatus: values.fromStatus ?? null, note: values.note ?? null });
}

/** Every comment of an article, whatever its status, tombstones included. */
export async function countAllComments({ db, articleId }: { db: Db; articleId: number }): Promise<number> {
  const { comments } = tablesOf(db);
  const row = await first(db.select({ n: count() }).from(comments).where(eq(comments.articleId, articleId)));
  return row?.n ?? 0;
}

/** A comment that has not been deleted. */
export async function findLiveComment({ db, id }: { db: Db; id: number }): Promise<CommentRow | undefined> {
  const { comments } = tablesOf(db);
  return first(
    db
      .select()
      .from(comments)
      .where(and(eq(comments.id, id), isNull(comments.deletedAt)))
      .limit(1),
  );
}

export async function findLiveComments({ db, ids }: { db: Db; ids: number[] }): Promise<CommentRow[]> {
  const { comments } = tablesOf(db);
  if (ids.length === 0) return [];
  return db
    .select()
    .from(comments)
    .where(and(inArray(comments.id, ids), isNull(comments.deletedAt)));
}

/** The normalised e-mail an author is known by: trimmed, lowercased (the expression comments_author_idx holds). */
export function authorKeyOf(email: string): string {
  return email.trim().toLowerCase();
}

/** The normalised e-mail in SQL: the expression comments_author_idx holds. */
export const authorKeyOfColumn = (comments: Comments) => sql`lower(trim(${comments.authorEmail}))`;

/** What a moderator (or the spam filter) decided: the statuses trust looks back over. */
export const DECIDED_STATUSES = ['approved', 'rejected', 'spam'] as const satisfies readonly CommentStatus[];

/**
 * The statuses of the author's `limit` latest decided comments (approved, rejected or spam),
 * newest first; locked on PostgreSQL when `lock`, so a decision racing the check waits for it.
 */
export async function latestDecisionsOfAuthor({
  db,
  authorKey,
  limit,
  lock,
}: {
  db: Db;
  authorKey: string;
  limit: number;
  lock: boolean;
}): Promise<CommentStatus[]> {
  const { comments } = tablesOf(db);
  const query = db
    .select({ id: comments.id, status: comments.status })
    .from(comments)
    .where(and(sql`${authorKeyOfColumn(comments)} = ${authorKey}`, inArray(comments.status, [...DECIDED_STATUSES])))
    .orderBy(desc(comments.id))
    .limit(limit)
    .$dynamic();
  const rows = await (lock ? forUpdate(db, query) : query);
  return rows.map((r) => r.status);
}

export interface QueueFilter {
  status?: CommentStatus | undefined;
  articleId?: number | undefined;
  text?: string | undefined;
  /** How the text filter meets the queue's order: a plan from what countQueueByStatus saw (textPlanOf). */
  textPlan?: CommentTextPlan | undefined;
}

const emailMatch = (comments: Comments, text: string) =>
  sql`lower(trim(${comments.authorEmail})) = ${text.trim().toLowerCase()}`;

/** The filter's text resolved against the index (one lookup per word on SQLite), when its words can match. */
async function searchOf(db: Db, text: string | undefined): Promise<CommentSearch | undefined> {
  const words = text === undefined ? [] : searchWords(text);
  if (words.length === 0) return undefined;
  const search = await commentSearchOf(db, words);
  // Left out, not OR'ed as false: SQLite would then scan for the e-mail instead of using its index.
  return search.none ? undefined : search;
}

async function queueConditions(db: Db, comments: Comments, filter: Omit<QueueFilter, 'status'>): Promise<SQL[]> {
  const conditions: SQL[] = [isNull(comments.deletedAt)];
  if (filter.articleId !== undefined) conditions.push(eq(comments.articleId, filter.articleId));
  if (filter.text !== undefined) {
    const search = await searchOf(db, filter.text);
    // Full text over body and author name, or the author's e-mail exactly; both through an index.
    const byEmail = emailMatch(comments, filter.text);
    conditions.push(search ? or(commentTextMatch(db, comments, search, filter.textPlan), byEmail)! : byEmail);
  }
  return conditions;
}

/** The moderation queue, oldest first, keyset-paginated; fetches limit + 1 rows. */
export async function listQueue({
  db,
  filter,
  limit,
  after,
}: {
  db: Db;
  filter: QueueFilter;
  limit: number;
  after?: ThreadCursor;
}) {
  const { articles, comments } = tablesOf(db);
  const conditions = await queueConditions(db, comments, filter);
  if (filter.status) conditions.push(eq(comments.status, filter.status));
  if (after)
    conditions.push(
      or(
        gt(comments.createdAt, after.createdAt),
        and(eq(comments.createdAt, after.createdAt), gt(comments.id, after.id)),
      )!,
    );
  return db
    .select({ comment: comments, articleSlug: articles.slug })
    .from(comments)
    .innerJoin(articles, eq(articles.id, comments.articleId))
    .where(and(...conditions))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(limit + 1);
}

/** Under a text filter, counts stop at this many matching comments (the newest). */
export const TEXT_COUNT_LIMIT = 1000;

export interface QueueCounts {
  counts: Record<CommentStatus, number>;
  /** False when the text matched more than TEXT_COUNT_LIMIT comments: counts are then lower bounds. */
  exact: boolean;
  /** When not exact: the share of comments matching among the ids the newest matches span. */
  share?: number;
}

/** How each batch of a decision by filter tests the text filter (see batchCommentTextPlan). */
export function batchTextPlanOf(db: Db): CommentTextPlan {
  return batchCommentTextPlan(db);
}

/** The cheapest way to list a page under the text filter, from what countQueueByStatus saw. */
export function textPlanOf(db: Db, counts: QueueCounts, articleId: number | undefined, limit: number): CommentTextPlan {
  return commentTextPlan(db, counts, articleId !== undefined, limit);
}

/**
 * How many live comments match the filter, per status, never recounted over a large set: without
 * a filter, the counts the triggers keep; for an article, the per-article counts they keep
 * (migration 0003); under a text filter, those among the newest TEXT_COUNT_LIMIT text matches.
 */
export async function countQueueByStatus({
  db,
  filter,
}: {
  db: Db;
  filter: Omit<QueueFilter, 'status' | 'textPlan'>;
}): Promise<QueueCounts> {
  const { comments, commentCounts, commentArticleCounts } = tablesOf(db);
  const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, rejected: 0, spam: 0 };
  if (filter.text === undefined) {
    // A status may span several slots (migration 0004): its count is their sum.
    const rows =
      filter.articleId === undefined
        ? await db
            .select({ status: commentCounts.status, n: sum(commentCounts.n) })
            .from(commentCounts)
            .groupBy(commentCounts.status)
        : await db
            .select({ status: commentArticleCounts.status, n: sum(commentArticleCounts.n) })
            .from(commentArticleCounts)
            .where(eq(commentArticleCounts.articleId, filter.articleId))
            .groupBy(commentArticleCounts.status);
    for (const { status, n } of rows) counts[status] = Number(n);
    return { counts, exact: true };
  }
  const rows = await textMatchSample(db, comments, filter.text);
  for (const row of rows.slice(0, TEXT_COUNT_LIMIT))
    if (row.deletedAt === null && (filter.articleId === undefined || row.articleId === filter.articleId))
      counts[row.status] += 1;
  if (rows.length <= TEXT_COUNT_LIMIT) return { counts, exact: true };
  return { counts, exact: false, share: rows.length / (rows[0]!.id - rows.at(-1)!.id + 1) };
}

/** The newest TEXT_COUNT_LIMIT + 1 comments matching the text (deleted ones too), read from the text index with bounded work (see newestCommentTextMatch). */
async function textMatchSample(db: Db, comments: Comments, text: string) {
  const search = await searchOf(db, text);
  const limit = TEXT_COUNT_LIMIT + 1;
  const newest = search ? await newestCommentTextMatch(db, comments, search, limit) : undefined;
  return db
    .select({ id: comments.id, status: comments.status, articleId: comments.articleId, deletedAt: comments.deletedAt })
    .from(comments)
    .where(newest ? or(newest, emailMatch(comments, text)) : emailMatch(comments, text))
    .orderBy(desc(comments.id))
    .limit(limit);
}

export async function updateCommentStatus({
  db,
  id,
  status,
  at,
}: {
  db: Db;
  id: number;
  status: CommentStatus;
  at: string;
}): Promise<void> {
  const { comments } = tablesOf(db);
  await db
    .update(comments)
    .set({ status, updatedAt: at, revision: sql`${comments.revision} + 1` })
    .where(eq(comments.id, id));
}

export async function tombstoneComment({ db, id, at }: { db: Db; id: number; at: string }): Promise<void> {
  const { comments } = tablesOf(db);
  await db
    .update(comments)
    .set({ deletedAt: at, updatedAt: at, revision: sql`${comments.revision} + 1` })
    .where(eq(comments.id, id));
}

export async function listModerationEvents({
  db,
  commentId,
}: {
  db: Db;
  commentId: number;
}): Promise<ModerationEventRow[]> {
  const { moderationEvents } = tablesOf(db);
  return db
    .select()
    .from(moderationEvents)
    .where(eq(moderationEvents.commentId, commentId))
    .orderBy(asc(moderationEvents.at), asc(moderationEvents.id));
}

/** The number of comments the public thread of `articleId` shows, as a correlated subquery. */
export function visibleCommentCountOf(t: Tables, articleId: SQLWrapper): SQL {
  const { comments } = t;
  const parent = aliasedTable(comments, 'parent');
  // A raw fragment renders an alias by its name only, so the join spells out "comments" AS "parent".
  const parentTable = sql`${comments} as ${sql.identifier('parent')}`;
  return sql`(select count(*) from ${comments} left join ${parentTable} on ${parent.id} = ${comments.parentId} where ${comments.articleId} = ${articleId} and ${isVisible(comments, parent)})`;
}

const publicFields = (table: Comments) => ({
  id: table.id,
  authorName: table.authorName,
  body: table.body,
  createdAt: table.createdAt,
});

function threadPage(db: Db, limit: number, paged: boolean) {
  const { comments } = tablesOf(db);
  const json = jsonOf(db);
  const reply = aliasedTable(comments, 'reply');
  // Approved replies of a root, oldest first, inside the root's document.
  const repliesOfRoot = json.array({
    element: json.object(publicFields(reply)),
    from: sql`${comments} as ${sql.identifier('reply')} where ${reply.parentId} = ${comments.id} and ${reply.status} = 'approved' and ${reply.deletedAt} is null`,
    orderBy: sql`${reply.createdAt}, ${reply.id}`,
  });
  const conditions = [
    eq(comments.articleId, sql.placeholder('articleId')),
    eq(comments.status, 'approved'),
    isNull(comments.parentId),
    isNull(comments.deletedAt),
  ];
  if (paged) {
    conditions.push(
      sql`(${comments.createdAt}, ${comments.id}) > (${sql.placeholder('afterCreatedAt')}, ${sql.placeholder('afterId')})`,
    );
  }
  return db
    .select({
      id: comments.id,
      createdAt: comments.createdAt,
      doc: json.text(json.object({ ...publicFields(comments), replies: repliesOfRoot })),
    })
    .from(comments)
    .where(and(...conditions))
    .orderBy(...orderByWithLimit(limit, asc(comments.createdAt), asc(comments.id)))
    .prepare(`comment_thread_${paged ? 'after' : 'first'}_${limit}`);
}

const threadPages = {
  first: preparedPerLimit((db: Db, limit: number) => threadPage(db, limit, false)),
  after: preparedPerLimit((db: Db, limit: number) => threadPage(db, limit, true)),
};

/** Up to `limit` visible roots after the cursor, oldest first, each a JSON document with its replies. */
export async function listThreadDocuments({
  db,
  articleId,
  limit,
  after,
}: {
  db: Db;
  articleId: number;
  limit: number;
  after?: ThreadCursor;
}) {
  if (!after) return threadPages.first(db, limit).execute({ articleId });
  return threadPages.after(db, limit).execute({ articleId, afterCreatedAt: after.createdAt, afterId: after.id });
}

/** Recounts what the public thread of each article shows, after a write that may change it. */
export async function refreshCommentCounts({
  db,
  articleIds,
}: {
  db: Db;
  articleIds: Iterable<number>;
}): Promise<void> {
  const t = tablesOf(db);
  const { articles } = t;
  for (const articleId of new Set(articleIds)) {
    await db
      .update(articles)
      .set({ commentCount: visibleCommentCountOf(t, sql`${articleId}`) })
      .where(eq(articles.id, articleId));
  }
}

/** Recounts every article that has comments: for bulk loads. */
export async function refreshAllCommentCounts({ db }: { db: Db }): Promise<void> {
  const t = tablesOf(db);
  const { articles, comments } = t;
  await db
    .update(articles)
    .set({ commentCount: visibleCommentCountOf(t, articles.id) })
    .where(inArray(articles.id, db.selectDistinct({ id: comments.articleId }).from(comments)));
}

/**
 * Live comments locked for the rest of the transaction, with their articles locked first (the
 * locking order of src/db/locks.ts): a decision and the article's commentCount then see every
 * decision committed before them, on any number of processes.
 */
export async function lockLiveComments({ db, ids }: { db: Db; ids: number[] }): Promise<CommentRow[]> {
  if (ids.length === 0) return [];
  const { articles, comments } = tablesOf(db);
  const owners = await db.selectDistinct({ id: comments.articleId }).from(comments).where(inArray(comments.id, ids));
  const articleIds = owners.map((o) => o.id).sort((a, b) => a - b);
  if (articleIds.length > 0) {
    await forUpdate(
      db,
      db
        .select({ id: articles.id })
        .from(articles)
        .where(inArray(articles.id, articleIds))
        .orderBy(asc(articles.id))
        .$dynamic(),
    );
  }
  return forUpdate(
    db,
    db
      .select()
      .from(comments)
      .where(and(inArray(comments.id, ids), isNull(comments.deletedAt)))
      .orderBy(asc(comments.id))
      .$dynamic(),
  );
}

// ---- the console's queue and bulk decisions by filter (awaited builders: dialect-neutral)

export interface QueueItemFilter extends QueueFilter {
  createdBefore?: string | undefined;
}

async function queueItemConditions(db: Db, comments: Comments, filter: QueueItemFilter): Promise<SQL[]> {
  const conditions = await queueConditions(db, comments, filter);
  if (filter.status) conditions.push(eq(comments.status, filter.status));
  if (filter.createdBefore) conditions.push(lt(comments.createdAt, filter.createdBefore));
  return conditions;
}

/** The queue in either order, keyset-paginated, with each comment's article title; fetches limit + 1 rows. */
export async function listQueueItems({
  db,
  filter,
  order,
  limit,
  after,
}: {
  db: Db;
  filter: QueueItemFilter;
  order: 'oldest' | 'newest';
  limit: number;
  after?: ThreadCursor | undefined;
}) {
  const { articles, comments } = tablesOf(db);
  const conditions = await queueItemConditions(db, comments, filter);
  const beyond = order === 'oldest' ? gt : lt;
  if (after)
    conditions.push(
      or(
        beyond(comments.createdAt, after.createdAt),
        and(eq(comments.createdAt, after.createdAt), beyond(comments.id, after.id)),
      )!,
    );
  const direction = order === 'oldest' ? asc : desc;
  return await db
    .select({ comment: comments, articleSlug: articles.slug, articleTitle: articles.title })
    .from(comments)
    .innerJoin(articles, eq(articles.id, comments.articleId))
    .where(and(...conditions))
    .orderBy(direction(comments.createdAt), direction(comments.id))
    .limit(limit + 1);
}

/** The newest comment id there is (0 when none): the bound of a later decision by filter. */
export async function newestCommentId({ db }: { db: Db }): Promise<number> {
  const { comments } = tablesOf(db);
  const [row] = await db.select({ id: max(comments.id) }).from(comments);
  return row?.id ?? 0;
}

/** What a decision by filter needs of a comment: no bodies, no JSON. */
export interface DecidableComment {
  id: number;
  articleId: number;
  status: CommentStatus;
  createdAt: string;
}

const decidableFields = (comments: Comments) => ({
  id: comments.id,
  articleId: comments.articleId,
  status: comments.status,
  createdAt: comments.createdAt,
});

/**
 * The next live comments matching the filter, up to id `maxId`, after id `after`, not yet in
 * `notStatus`. In id order, the order rows sit in the table: a batch rewrites neighbouring pages,
 * and each page once, where the queue's order would scatter the writes over the whole file.
 */
export async function listDecidableBatch({
  db,
  filter,
  notStatus,
  after,
  maxId,
  limit,
}: {
  db: Db;
  filter: QueueItemFilter;
  notStatus: CommentStatus;
  after: number;
  maxId: number;
  limit: number;
}): Promise<DecidableComment[]> {
  const { comments } = tablesOf(db);
  // The article's index may drive (its comments are few); the status and date must not, or each
  // batch would sort every comment in that status instead of reading on from `after`.
  const conditions = await queueConditions(db, comments, filter);
  if (filter.status) conditions.push(sql`${unindexed(db, comments.status)} = ${filter.status}`);
  if (filter.createdBefore) conditions.push(sql`${unindexed(db, comments.createdAt)} < ${filter.createdBefore}`);
  conditions.push(gt(comments.id, after), lte(comments.id, maxId), sql`${comments.status} <> ${notStatus}`);
  return await db
    .select(decidableFields(comments))
    .from(comments)
    .where(and(...conditions))
    .orderBy(asc(comments.id))
    .limit(limit);
}

/**
 * The live comments among `ids` not yet in `notStatus`, locked with their articles first (the
 * order of src/db/locks.ts): the few columns a decision by filter writes its events from.
 */
export async function lockDecidableComments({
  db,
  ids,
  notStatus,
}: {
  db: Db;
  ids: number[];
  notStatus: CommentStatus;
}): Promise<DecidableComment[]> {
  if (ids.length === 0) return [];
  const { articles, comments } = tablesOf(db);
  if (dialectOf(db) === 'postgres') {
    const owners = await db.selectDistinct({ id: comments.articleId }).from(comments).where(inArray(comments.id, ids));
    await forUpdate(
      db,
      db
        .select({ id: articles.id })
        .from(articles)
        .where(
          inArray(
            articles.id,
            owners.map((o) => o.id),
          ),
        )
        .orderBy(asc(articles.id))
        .$dynamic(),
    );
  }
  return forUpdate(
    db,
    db
      .select(decidableFields(comments))
      .from(comments)
      .where(and(inArray(comments.id, ids), isNull(comments.deletedAt), sql`${comments.status} <> ${notStatus}`))
      .orderBy(asc(comments.id))
      .$dynamic(),
  );
}

/** One status for many comments in one statement (a bulk batch); each still gets its own event. */
export async function updateCommentStatuses({
  db,
  ids,
  status,
  at,
}: {
  db: Db;
  ids: number[];
  status: CommentStatus;
  at: string;
}): Promise<void> {
  const { comments } = tablesOf(db);
  if (ids.length === 0) return;
  await db
    .update(comments)
    .set({ status, updatedAt: at, revision: sql`${comments.revision} + 1` })
    .where(inArray(comments.id, ids));
}

export async function insertModerationEvents({
  db,
  values,
}: {
  db: Db;
  values: Omit<Tables['moderationEvents']['$inferInsert'], 'id'>[];
}): Promise<void> {
  const { moderationEvents } = tablesOf(db);
  if (values.length === 0) return;
  await db.insert(moderationEvents).values(values);
}
