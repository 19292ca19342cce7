import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { FILTER_BATCH_SIZE } from '../../src/modules/comments/comments.moderation.service.js';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { comments, moderationEvents } = tables;

async function moderatorApp(traceSql?: (sql: string) => void) {
  const ctx = await createTestApp(traceSql ? { traceSql } : {});
  const headers = bearer(await createKeyFor(ctx.db, 'moderator', 'Mod Mary'));
  const article = await createArticle(ctx.db);
  return { ...ctx, headers, article };
}

type Ctx = Awaited<ReturnType<typeof moderatorApp>>;

async function pendingComments(ctx: Ctx, n: number, articleId = ctx.article.id, body = (i: number) => `Text ${i}`) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await createComment(ctx.db, { articleId, status: 'pending', body: body(i) }));
  return ids;
}

async function queue(ctx: Ctx, query = '') {
  return (await ctx.app.inject({ method: 'GET', url: `/v1/admin/comments?${query}`, headers: ctx.headers })).json();
}

function bulk(ctx: Ctx, payload: object, headers: Record<string, string> = {}) {
  return ctx.app.inject({
    method: 'POST',
    url: '/v1/admin/comments/bulk',
    headers: { ...ctx.headers, ...headers },
    payload,
  });
}

async function statusOf(ctx: Ctx, ids: number[]) {
  const rows = await ctx.db.read.select({ id: comments.id, status: comments.status }).from(comments);
  const byId = new Map(rows.map((r) => [r.id, r.status]));
  return ids.map((id) => byId.get(id));
}

describe('the queue the console reads', () => {
  it('lists newest first on request, with the article title, the parent of a reply and the newest id', async () => {
    const ctx = await moderatorApp();
    const root = await createComment(ctx.db, { articleId: ctx.article.id, status: 'approved', body: 'Root text' });
    const reply = await createComment(ctx.db, { articleId: ctx.article.id, parentId: root, status: 'pending' });
    const newest = (await queue(ctx, 'order=newest')).data;
    expect(newest.map((c: { id: number }) => c.id)).toEqual([reply, root]);
    expect(newest[0]).toMatchObject({
      articleTitle: expect.any(String),
      etag: expect.stringMatching(/^".+"$/),
      parent: { id: root, body: 'Root text', status: 'approved' },
    });
    expect(newest[1].parent).toBeNull();
    expect((await queue(ctx)).meta.maxId).toBe(reply);
    const before = await queue(ctx, `createdBefore=${encodeURIComponent(newest[0].createdAt)}`);
    expect(before.data.map((c: { id: number }) => c.id)).toEqual([root]);
  });
});

describe('POST /v1/admin/comments/bulk by filter', () => {
  it('decides every match up to the maxId seen, each with its own event, and answers the number changed', async () => {
    const ctx = await moderatorApp();
    const other = await createArticle(ctx.db);
    const mine = await pendingComments(ctx, FILTER_BATCH_SIZE * 2 + 5);
    const elsewhere = await pendingComments(ctx, 3, other.id);
    const { maxId } = (await queue(ctx, 'status=pending')).meta;
    const late = await pendingComments(ctx, 2);

    const res = await bulk(ctx, {
      filter: { status: 'pending', articleId: ctx.article.id, maxId },
      status: 'rejected',
      note: 'off topic',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'rejected', changed: mine.length });
    expect(new Set(await statusOf(ctx, mine))).toEqual(new Set(['rejected']));
    expect(new Set(await statusOf(ctx, [...elsewhere, ...late]))).toEqual(new Set(['pending']));
    const events = await ctx.db.read.select().from(moderationEvents).where(eq(moderationEvents.toStatus, 'rejected'));
    expect(events).toHaveLength(mine.length);
    expect(new Set(events.map((e) => e.commentId))).toEqual(new Set(mine));
    expect(events[0]).toMatchObject({ fromStatus: 'pending', actor: 'Mod Mary', note: 'off topic' });
  });

  it('publishes what it approves: the thread, commentCount and the public ETag change at once', async () => {
    const ctx = await moderatorApp();
    const ids = await pendingComments(ctx, 3);
    const before = await ctx.app.inject({ method: 'GET', url: `/v1/articles/${ctx.article.slug}` });
    expect(before.json().commentCount).toBe(0);
    const { maxId } = (await queue(ctx)).meta;
    expect((await bulk(ctx, { filter: { status: 'pending', maxId }, status: 'approved' })).json().changed).toBe(3);
    const after = await ctx.app.inject({ method: 'GET', url: `/v1/articles/${ctx.article.slug}` });
    expect(after.json().commentCount).toBe(3);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const thread = await ctx.app.inject({ method: 'GET', url: `/v1/articles/${ctx.article.slug}/comments` });
    expect(thread.json().data.map((c: { id: number }) => c.id)).toEqual(ids);
  });

  it('matches the text filter', async () => {
    const ctx = await moderatorApp();
    const ids = await pendingComments(ctx, 4, ctx.article.id, (i) => (i % 2 ? 'cheap pills' : 'thanks'));
    const { maxId } = (await queue(ctx)).meta;
    const res = await bulk(ctx, { filter: { q: 'pills', maxId }, status: 'spam' });
    expect(res.json()).toEqual({ status: 'spam', changed: 2 });
    expect(await statusOf(ctx, ids)).toEqual(['pending', 'spam', 'pending', 'spam']);
  });

  it('matches the text filter over several batches, each comment once, the counts exact', async () => {
    const ctx = await moderatorApp();
    const ids = await pendingComments(ctx, 230, ctx.article.id, (i) => (i % 2 ? 'cheap pills' : 'thanks'));
    const { maxId } = (await queue(ctx)).meta;
    const res = await bulk(ctx, { filter: { q: 'pills', maxId }, status: 'spam' });
    expect(res.json()).toEqual({ status: 'spam', changed: 115 });
    expect(await statusOf(ctx, ids)).toEqual(ids.map((_, i) => (i % 2 ? 'spam' : 'pending')));
    const events = await ctx.db.read.select().from(moderationEvents).where(eq(moderationEvents.toStatus, 'spam'));
    expect(events.map((e) => e.commentId).sort((a, b) => a - b)).toEqual(ids.filter((_, i) => i % 2));
    expect((await queue(ctx)).meta.counts).toMatchObject({ pending: 115, spam: 115 });
  });

  it('answers the first result again when retried with the same Idempotency-Key, and 422 for another body', async () => {
    const ctx = await moderatorApp();
    await pendingComments(ctx, 3);
    const { maxId } = (await queue(ctx)).meta;
    const payload = { filter: { status: 'pending', maxId }, status: 'approved' };
    const first = await bulk(ctx, payload, { 'idempotency-key': 'k1' });
    expect(first.json()).toEqual({ status: 'approved', changed: 3 });
    const retry = await bulk(ctx, payload, { 'idempotency-key': 'k1' });
    expect(retry.json()).toEqual({ status: 'approved', changed: 3 });
    const fresh = await bulk(ctx, payload, { 'idempotency-key': 'k2' });
    expect(fresh.json()).toEqual({ status: 'approved', changed: 0 });
    const other = await bulk(ctx, { ...payload, status: 'spam' }, { 'idempotency-key': 'k1' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('rule_violation');
    const events = await ctx.db.read.select().from(moderationEvents).where(eq(moderationEvents.toStatus, 'approved'));
    expect(events).toHaveLength(3);
  });

  it('refuses a filter without maxId (400)', async () => {
    const ctx = await moderatorApp();
    const res = await bulk(ctx, { filter: { status: 'pending' }, status: 'approved' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('lets a reader submission land between batches instead of waiting for the whole decision', async () => {
    let firstBatchSeen: () => void = () => {};
    const firstBatch = new Promise<void>((resolve) => {
      firstBatchSeen = resolve;
    });
    const ctx = await moderatorApp((sql) => {
      if (/^update "comments" set "status"/.test(sql)) firstBatchSeen();
    });
    const total = 600; // several batches
    await pendingComments(ctx, total);
    const { maxId } = (await queue(ctx)).meta;
    const order: string[] = [];
    const decided = bulk(ctx, { filter: { status: 'pending', maxId }, status: 'rejected' }).then((res) => {
      order.push('bulk');
      return res;
    });
    await firstBatch;
    const submitted = ctx.app
      .inject({
        method: 'POST',
        url: `/v1/articles/${ctx.article.slug}/comments`,
        payload: { authorName: 'Ann', authorEmail: 'ann@example.com', body: 'Arrived during the decision' },
      })
      .then((res) => {
        order.push('submission');
        return res;
      });
    const [bulkRes, submitRes] = await Promise.all([decided, submitted]);
    expect(submitRes.statusCode).toBe(202);
    expect(bulkRes.json().changed).toBe(total);
    expect(order).toEqual(['submission', 'bulk']);
  });
});
