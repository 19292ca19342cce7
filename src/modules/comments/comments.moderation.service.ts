import { createHash } from 'node:crypto';
import type { CommentPolicy } from '../../config.js';
import type { DatabaseHandles, Db } from '../../db/client.js';
import { isDatabaseBusy, isDatabaseUnavailable, isStorageFull } from '../../db/errors.js';
import { groupCommit, type Settled } from '../../db/group-commit.js';
import { type OutboxEventInput, recordEvents, surrogateKeysOf } from '../../db/outbox.js';
import type { CommentStatus } from '../../db/schema.js';
import { bumpContentVersion } from '../../db/transaction.js';
import { decodeCursor, splitPage } from '../../http/cursor.js';
import { AppError, conflict, notFound, ruleViolation } from '../../http/errors.js';
import { checkIfMatch } from '../../http/preconditions.js';
import { findArticleById, lockArticle } from '../articles/articles.repository.js';
import { getInstanceSecret } from '../content/content.repository.js';
import {
  authorKeyOf,
  batchTextPlanOf,
  type CommentRow,
  countQueueByStatus,
  findLiveComment,
  findLiveComments,
  insertModerationEvent,
  insertModerationEvents,
  latestDecisionsOfAuthor,
  listDecidableBatch,
  listModerationEvents,
  listQueueItems,
  lockDecidableComments,
  lockLiveComments,
  type NewComment,
  newestCommentId,
  type QueueItemFilter,
  refreshCommentCounts,
  textPlanOf,
  tombstoneComment,
  updateCommentStatus,
  updateCommentStatuses,
} from './comments.repository.js';
import type { AdminComment, AdminCommentDetail, BulkFilter, CommentSubmit, QueueItem } from './comments.schemas.js';
import { contentHashOf } from './comments.service.js';
import {
  findSubmissionFacts,
  insertComments,
  type SubmissionCheck,
  type SubmissionFacts,
} from './comments.submission.repository.js';
import { orderedSignals, scoreComment } from './spam.js';

const SYSTEM_ACTOR = 'system';

// The salt is generated once per installation and never changes: read it once per opened database.
const salts = new WeakMap<DatabaseHandles, Promise<string>>();

async function readSalt(db: DatabaseHandles): Promise<string> {
  const salt = await getInstanceSecret({ db: db.read, name: 'address-hash-salt' });
  if (!salt) throw new Error('instance secret address-hash-salt is missing; run the migrations');
  return salt;
}

/** Client addresses are kept only as salted hashes: enough to spot repeats, useless if leaked. */
export async function hashAddress(db: DatabaseHandles, address: string): Promise<string> {
  let salt = salts.get(db);
  if (salt === undefined) {
    // Callers arriving before it is read share the one read; a failed read is tried again by the next.
    salt = readSalt(db);
    salts.set(db, salt);
    salt.catch(() => salts.delete(db));
  }
  return createHash('sha256')
    .update(`${await salt}:${address}`)
    .digest('hex');
}

/** Why an author's comment is approved at once, or undefined: COMMENT_TRUST_AFTER approvals, none rejected or spam since. */
function trustReason(policy: CommentPolicy, latestDecisions: readonly CommentStatus[]): string | undefined {
  if (policy.trustAfter === 0) return undefined;
  if (latestDecisions.length < policy.trustAfter || latestDecisions.some((status) => status !== 'approved'))
    return undefined;
  return `Trusted author: ${policy.trustAfter} approved comment${policy.trustAfter === 1 ? '' : 's'}, none rejected or spam since`;
}

/** A submission as the batch writes it: the request's input and what was derived from it outside the transaction. */
interface Submission {
  now: Date;
  policy: CommentPolicy;
  slug: string;
  input: CommentSubmit;
  addressHash: string;
  contentHash: string;
  authorKey: string;
}

// Submissions arriving together share one transaction: a handful of statements for the batch instead of per comment.
const MAX_SUBMISSION_BATCH = 32;
const submissionWriters = new WeakMap<DatabaseHandles, (submission: Submission) => Promise<{ id: number }>>();

/**
 * A reader's comment: stored as `pending`, as `spam` when the signals say so, or `approved` at
 * once for a trusted returning author (unless it holds more than COMMENT_HOLD_LINKS links). The
 * caller always answers "pending", so a bot learns nothing from the response. Answered only
 * once the transaction holding it has committed.
 */
export async function submitComment(
  { db, now, policy, clientAddress }: { db: DatabaseHandles; now: Date; policy: CommentPolicy; clientAddress: string },
  slug: string,
  input: CommentSubmit,
): Promise<{ id: number }> {
  let write = submissionWriters.get(db);
  if (write === undefined) {
    write = groupCommit(db, (batch: readonly Submission[]) => writeSubmissions(db, batch), {
      maxBatch: MAX_SUBMISSION_BATCH,
      // Busy, full or gone: no submission is to blame, and each alone would wait as long again.
      shared: (error) => isDatabaseBusy(error) || isStorageFull(error) || isDatabaseUnavailable(error),
    });
    submissionWriters.set(db, write);
  }
  return write({
    now,
    policy,
    slug,
    input,
    addressHash: await hashAddress(db, clientAddress),
    contentHash: contentHashOf(input.body),
    authorKey: authorKeyOf(input.authorEmail),
  });
}

interface Written {
  id: number;
  articleId: number;
  slug: string;
  status: CommentStatus;
  note: string;
  at: string;
}

/** A submission judged: the comment to insert and what its events need. */
type Judged = Omit<Written, 'id'> & { values: NewComment };

/**
 * One transaction for a batch of submissions, in rounds of one facts query and one multi-row
 * insert. A round ends before a submission that an earlier one of the round could change: the
 * same text from the same address (a duplicate), or after a comment that is not pending (spam
 * counts against its author's next ones); the rest is checked again in the next round, seeing
 * what came before. Moderation and outbox events are written together at the end. A rule's
 * refusal (404, 409, 422) answers that submission alone; a database error rolls the batch back.
 */
async function writeSubmissions(db: DatabaseHandles, batch: readonly Submission[]): Promise<Settled<{ id: number }>[]> {
  // Approving a trusted author's comment locks rows (src/db/locks.ts): only in a transaction of its own.
  const alone = batch.length === 1;
  return db.withTransaction(
    async (tx) => {
      const results: Settled<{ id: number }>[] = [];
      const written: Written[] = [];
      for (let next = 0; next < batch.length; ) {
        const round = batch.slice(next);
        // Submissions of one app share its policy; the first's trust setting is every one's.
        const facts = await findSubmissionFacts({
          db: tx,
          checks: round.map(checkOf),
          trustAfter: round[0]!.policy.trustAfter,
        });
        const judged: { index: number; comment: Judged }[] = [];
        const texts = new Set<string>();
        for (const [k, submission] of round.entries()) {
          const text = `${submission.contentHash} ${submission.addressHash}`;
          if (texts.has(text)) break;
          next += 1;
          try {
            const comment = await judgeSubmission(tx, submission, facts[k], alone);
            if (comment === 'alone') {
              results[next - 1] = { alone: true };
              continue;
            }
            judged.push({ index: next - 1, comment });
            texts.add(text);
            if (comment.status !== 'pending') break;
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            results[next - 1] = { ok: false, error };
          }
        }
        const ids = await insertComments({ db: tx, values: judged.map((j) => j.comment.values) });
        judged.forEach(({ index, comment: { values: _, ...comment } }, i) => {
          const id = ids[i]!;
          written.push({ id, ...comment });
          results[index] = { ok: true, value: { id } };
        });
      }
      await insertModerationEvents({
        db: tx,
        values: written.map(({ id, status, note, at }) => ({
          commentId: id,
          fromStatus: null,
          toStatus: status,
          actor: SYSTEM_ACTOR,
          note,
          at,
        })),
      });
      await recordCommentEvents(
        tx,
        written.map(({ id, articleId, status, at }) => ({ id, articleId, from: null, to: status, at })),
        written[0]?.at ?? '',
        new Map(written.map((w) => [w.articleId, w.slug])),
      );
      const approved = [...new Set(written.filter((w) => w.status === 'approved').map((w) => w.articleId))];
      if (approved.length > 0) {
        await refreshCommentCounts({ db: tx, articleIds: approved });
        await bumpContentVersion(tx);
      }
      return results;
    },
    // The content version is bumped above, only when a trusted author's comment goes public at once.
    { touchesContent: false },
  );
}

function checkOf({ now, policy, slug, addressHash, contentHash, authorKey }: Submission): SubmissionCheck {
  return {
    slug,
    now: now.toISOString(),
    contentHash,
    addressHash,
    authorKey,
    duplicateSince: new Date(now.getTime() - policy.duplicateWindowMs).toISOString(),
    spamSince: new Date(now.getTime() - policy.spamMemoryDays * 86_400_000).toISOString(),
  };
}

/** Applies every rule to one submission; 'alone' when approving it needs a transaction of its own. */
async function judgeSubmission(
  tx: Db,
  { now, policy, slug, input, addressHash, contentHash, authorKey }: Submission,
  facts: SubmissionFacts | undefined,
  alone: boolean,
): Promise<Judged | 'alone'> {
  const at = now.toISOString();
  if (facts === undefined) throw notFound(`No published article has the slug "${slug}".`);
  const { articleId } = facts;
  if (input.parentId !== undefined) await assertReplyable(tx, input.parentId, articleId);
  if (facts.duplicate) throw conflict('You already posted this comment a moment ago.');
  const renderedAt = input.renderedAt === undefined ? undefined : new Date(input.renderedAt);
  const { score, signals, links } = scoreComment(
    {
      body: input.body,
      authorName: input.authorName,
      honeypot: input.website,
      renderedAt,
      receivedAt: now,
      spamFromSameAuthor: facts.spamFromSameAuthor,
      blockedWords: facts.blockedWords,
      blockedAuthor: facts.authorBlocked,
    },
    policy,
  );
  let status: CommentStatus = score >= policy.spamThreshold ? 'spam' : 'pending';
  let note = status === 'spam' ? `Spam filter: score ${score} (${Object.keys(signals).join(', ')})` : 'Submitted';
  if (status === 'pending' && links <= policy.holdLinks && trustReason(policy, facts.latestDecisions)) {
    if (!alone) return 'alone';
    // Article first, then the author's comments (the order of src/db/locks.ts), and check again under the locks.
    await lockArticle({ db: tx, id: articleId });
    const latest = await latestDecisionsOfAuthor({ db: tx, authorKey, limit: policy.trustAfter, lock: true });
    const reason = trustReason(policy, latest);
    if (reason) {
      status = 'approved';
      note = reason;
    }
  } else if (status === 'pending' && links > policy.holdLinks) {
    note = `Held: ${links} links (more than ${policy.holdLinks})`;
  }
  const values: NewComment = {
    articleId,
    parentId: input.parentId ?? null,
    authorName: input.authorName,
    authorEmail: input.authorEmail,
    body: input.body,
    status,
    addressHash,
    contentHash,
    spamScore: score,
    spamSignals: signals,
    createdAt: at,
    updatedAt: at,
  };
  return { articleId, slug, status, note, at, values };
}

interface CommentMove {
  id: number;
  articleId: number;
  from: CommentStatus | null;
  to: CommentStatus | 'deleted';
  /** When it happened, if not at the transaction's `at` (a batch of submissions). */
  at?: string;
}

/**
 * A new pending comment is news for moderators (comment.created); into `approved` it becomes
 * public, out of it (or deleted) it leaves the public view. Spam and rejections say nothing.
 */
async function recordCommentEvents(
  tx: Db,
  moves: readonly CommentMove[],
  at: string,
  /** Slugs the caller already knows, by article id (a submission's route has it). */
  slugs = new Map<number, string | null>(),
): Promise<void> {
  const typeOf = ({ from, to }: CommentMove): OutboxEventInput['type'] | undefined => {
    if (from === null && to === 'pending') return 'comment.created';
    if (to === 'approved' && from !== 'approved') return 'comment.approved';
    if (from === 'approved' && to !== 'approved') return 'comment.removed';
    return undefined;
  };
  const events: OutboxEventInput[] = [];
  for (const move of moves) {
    const type = typeOf(move);
    if (!type) continue;
    if (!slugs.has(move.articleId))
      slugs.set(move.articleId, (await findArticleById({ db: tx, id: move.articleId }))?.slug ?? null);
    events.push({
      type,
      kind: 'comment',
      resourceId: move.id,
      slug: slugs.get(move.articleId) ?? null,
      surrogateKeys: surrogateKeysOf.comments(move.articleId),
      ...(move.at === undefined ? {} : { at: move.at }),
    });
  }
  await recordEvents({ tx, events, at });
}

async function assertReplyable(tx: Db, parentId: number, articleId: number): Promise<void> {
  const parent = await findLiveComment({ db: tx, id: parentId });
  // One answer for every reason, so a reader cannot probe which hidden comments exist.
  if (!parent || parent.articleId !== articleId || parent.parentId !== null || parent.status !== 'approved') {
    const problem = 'is not a published top-level comment of this article';
    throw ruleViolation(`Comment ${parentId} ${problem}: replies go to visible comments, one level deep.`, [
      { location: 'body', pointer: '/parentId', message: problem },
    ]);
  }
}

// ---- moderation

export function commentEtag(row: { id: number; revision: number }): string {
  return `"comment-${row.id}-r${row.revision}"`;
}

function toAdminComment(row: CommentRow, articleSlug: string): AdminComment {
  return {
    id: row.id,
    articleId: row.articleId,
    articleSlug,
    parentId: row.parentId,
    authorName: row.authorName,
    authorEmail: row.authorEmail,
    body: row.body,
    status: row.status,
    spamScore: row.spamScore,
    spamSignals: orderedSignals(row.spamSignals),
    revision: row.revision,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function detailOf(db: Db, row: CommentRow): Promise<AdminCommentDetail> {
  const article = await findArticleById({ db, id: row.articleId });
  const history = await listModerationEvents({ db, commentId: row.id });
  return {
    ...toAdminComment(row, article?.slug ?? ''),
    history: history.map(({ fromStatus, toStatus, actor, note, at }) => ({ fromStatus, toStatus, actor, note, at })),
  };
}

/** The live comment, locked with its article for the rest of the transaction. */
async function lockComment(db: Db, id: number): Promise<CommentRow> {
  const [row] = await lockLiveComments({ db, ids: [id] });
  if (!row) throw notFound(`No comment has the id ${id}.`);
  return row;
}

async function requireComment(db: Db, id: number): Promise<CommentRow> {
  const row = await findLiveComment({ db, id });
  if (!row) throw notFound(`No comment has the id ${id}.`);
  return row;
}

export async function getCommentForModeration(
  { db }: { db: DatabaseHandles },
  id: number,
): Promise<AdminCommentDetail> {
  return db.withTransaction(async (tx) => detailOf(tx, await requireComment(tx, id)), { readOnly: true });
}

export async function listModerationQueue(
  { db }: { db: DatabaseHandles },
  query: QueueItemFilter & { order: 'oldest' | 'newest'; limit: number; cursor?: string | undefined },
) {
  const after = decodeCursor<[string, number]>(query.cursor, ['string', 'number']);
  const { order, limit } = query;
  // Read before the page, so nothing on the page is newer than the bound it reports.
  const maxId = await newestCommentId({ db: db.read });
  const counted = await countQueueByStatus({ db: db.read, filter: { articleId: query.articleId, text: query.text } });
  const { counts, exact } = counted;
  const filter = {
    status: query.status,
    articleId: query.articleId,
    text: query.text,
    createdBefore: query.createdBefore,
    // Past the count limit, walking the queue's order and testing each comment beats sorting every match.
    textPlan: textPlanOf(db.read, counted, query.articleId, limit),
  };
  const rows = await listQueueItems({
    db: db.read,
    filter,
    order,
    limit,
    ...(after ? { after: { createdAt: after[0], id: after[1] } } : {}),
  });
  const page = splitPage(rows, limit, (r) => [r.comment.createdAt, r.comment.id]);
  const parentIds = page.rows.flatMap((r) => (r.comment.parentId === null ? [] : [r.comment.parentId]));
  const parents = new Map(
    (await findLiveComments({ db: db.read, ids: [...new Set(parentIds)] })).map((p) => [p.id, p] as const),
  );
  const data: QueueItem[] = page.rows.map((r) => {
    const parent = r.comment.parentId === null ? undefined : parents.get(r.comment.parentId);
    return {
      ...toAdminComment(r.comment, r.articleSlug),
      articleTitle: r.articleTitle,
      etag: commentEtag(r.comment),
      parent: parent
        ? { id: parent.id, authorName: parent.authorName, body: parent.body, status: parent.status }
        : null,
    };
  });
  return { data, meta: { limit, nextCursor: page.nextCursor, counts, countsExact: exact, maxId } };
}

interface Decision {
  status: CommentStatus;
  note?: string | undefined;
  actor: string;
}

/** Moves a comment to a status and records who, when, from what, and why; no change, no event. */
async function applyDecision(tx: Db, row: CommentRow, { status, note, actor }: Decision, at: string): Promise<void> {
  if (row.status === status) return;
  await updateCommentStatus({ db: tx, id: row.id, status, at });
  await recordCommentEvents(tx, [{ id: row.id, articleId: row.articleId, from: row.status, to: status }], at);
  await insertModerationEvent({
    db: tx,
    values: { commentId: row.id, fromStatus: row.status, toStatus: status, actor, note: note ?? null, at },
  });
}

export async function decideComment(
  { db, now, ifMatch }: { db: DatabaseHandles; now: Date; ifMatch?: string | undefined },
  id: number,
  decision: Decision,
): Promise<AdminCommentDetail> {
  return db.withTransaction(async (tx) => {
    const row = await lockComment(tx, id);
    checkIfMatch(ifMatch, commentEtag(row), `comment (status ${row.status})`);
    await applyDecision(tx, row, decision, now.toISOString());
    await refreshCommentCounts({ db: tx, articleIds: [row.articleId] });
    return detailOf(tx, await requireComment(tx, id));
  });
}

export async function decideComments(
  { db, now }: { db: DatabaseHandles; now: Date },
  ids: number[],
  decision: Decision,
) {
  const unique = [...new Set(ids)];
  return db.withTransaction(async (tx) => {
    const rows = await lockLiveComments({ db: tx, ids: unique });
    for (const row of rows) await applyDecision(tx, row, decision, now.toISOString());
    await refreshCommentCounts({ db: tx, articleIds: rows.map((r) => r.articleId) });
    const found = new Set(rows.map((r) => r.id));
    return {
      status: decision.status,
      updated: unique.filter((id) => found.has(id)),
      notFound: unique.filter((id) => !found.has(id)),
    };
  });
}

// Batches grow or shrink so each holds the write lock about this long: a submission queued
// behind one waits a few tens of milliseconds at most, never 50, and the decision goes fast.
const BATCH_TARGET_MS = 30;
const BATCH_MIN = 20;
const BATCH_MAX = 2000;
export const FILTER_BATCH_SIZE = 100;

/**
 * Decides every live comment matching the filter up to `filter.maxId` (what the moderator saw),
 * one short transaction per batch so submissions slip in between; each comment gets its own event.
 * Each batch is set-based: a read, a locking read, one UPDATE and one multi-row INSERT of events,
 * in id order (see listDecidableBatch).
 */
export async function decideCommentsByFilter(
  { db, now }: { db: DatabaseHandles; now: () => Date },
  filter: BulkFilter,
  decision: Decision,
): Promise<{ status: CommentStatus; changed: number }> {
  const match = {
    status: filter.status,
    articleId: filter.articleId,
    text: filter.q,
    createdBefore: filter.createdBefore,
    // Batches walk the queue's order: each tests the comments it passes, never sorts every match.
    textPlan: batchTextPlanOf(db.read),
  };
  // Only a move into or out of `approved` changes what the public sees (threads, counts, ETags).
  const touchesPublic = decision.status === 'approved' || filter.status === undefined || filter.status === 'approved';
  let after = 0;
  let changed = 0;
  let size = FILTER_BATCH_SIZE;
  for (;;) {
    const started = performance.now();
    const limit = size;
    const batch = await db.withTransaction(
      async (tx) => {
        const listed = await listDecidableBatch({
          db: tx,
          filter: match,
          notStatus: decision.status,
          after,
          maxId: filter.maxId,
          limit,
        });
        // Articles, then comments, locked before any write (the order of src/db/locks.ts): the
        // status change also moves comment_counts rows, which a decision reaches after its article.
        const rows = await lockDecidableComments({ db: tx, ids: listed.map((r) => r.id), notStatus: decision.status });
        const at = now().toISOString();
        await updateCommentStatuses({ db: tx, ids: rows.map((r) => r.id), status: decision.status, at });
        await recordCommentEvents(
          tx,
          rows.map((r) => ({ id: r.id, articleId: r.articleId, from: r.status, to: decision.status })),
          at,
        );
        await insertModerationEvents({
          db: tx,
          values: rows.map((row) => ({
            commentId: row.id,
            fromStatus: row.status,
            toStatus: decision.status,
            actor: decision.actor,
            note: decision.note ?? null,
            at,
          })),
        });
        const visible = rows.filter((r) => r.status === 'approved' || decision.status === 'approved');
        await refreshCommentCounts({ db: tx, articleIds: visible.map((r) => r.articleId) });
        return { listed, changed: rows.length };
      },
      { touchesContent: touchesPublic },
    );
    changed += batch.changed;
    if (batch.listed.length < limit) return { status: decision.status, changed };
    after = batch.listed.at(-1)!.id;
    const took = performance.now() - started;
    // Toward the target, at most doubling at a time (a fast batch may have been a lucky one).
    const next = Math.min(size * 2, (size * BATCH_TARGET_MS) / Math.max(took, 1));
    size = Math.round(Math.min(BATCH_MAX, Math.max(BATCH_MIN, next)));
    // Let whatever queued behind this batch run before the next one: on SQLite a batch holds the
    // event loop too, so a reader's request needs a few turns of it (headers, body) to get queued.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A tombstone: the comment leaves every view, its moderation history stays. */
export async function deleteComment(
  { db, now, ifMatch }: { db: DatabaseHandles; now: Date; ifMatch?: string | undefined },
  id: number,
  actor: string,
): Promise<void> {
  await db.withTransaction(async (tx) => {
    const row = await lockComment(tx, id);
    checkIfMatch(ifMatch, commentEtag(row), `comment (status ${row.status})`);
    const at = now.toISOString();
    await tombstoneComment({ db: tx, id, at });
    await recordCommentEvents(tx, [{ id, articleId: row.articleId, from: row.status, to: 'deleted' }], at);
    await refreshCommentCounts({ db: tx, articleIds: [row.articleId] });
    await insertModerationEvent({
      db: tx,
      values: { commentId: id, fromStatus: row.status, toStatus: row.status, actor, note: 'Deleted', at },
    });
  });
}
