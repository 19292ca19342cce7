import { describe, expect, it } from 'vitest';
import { COMMENT_STATUSES, type CommentStatus } from '../../src/db/schema.js';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { comments, moderationEvents } = tables;

async function moderatorApp() {
  const ctx = await createTestApp();
  const headers = bearer(await createKeyFor(ctx.db, 'moderator', 'Mod Mary'));
  const article = await createArticle(ctx.db);
  return { ...ctx, headers, article };
}

type Ctx = Awaited<ReturnType<typeof moderatorApp>>;

/** What the public sees: the thread's comments and replies, and the article's count. */
async function publicView({ app, article }: Ctx) {
  const thread = (await app.inject({ method: 'GET', url: `/v1/articles/${article.slug}/comments` })).json();
  const ids = thread.data.flatMap((c: { id: number; replies: { id: number }[] }) => [
    c.id,
    ...c.replies.map((r) => r.id),
  ]);
  const count = (await app.inject({ method: 'GET', url: `/v1/articles/${article.slug}` })).json().commentCount;
  const listed = (await app.inject({ method: 'GET', url: '/v1/articles' })).json().data[0].commentCount;
  return { ids, count, listed };
}

async function decide(ctx: Ctx, id: number, status: CommentStatus, extra: Record<string, string> = {}) {
  return ctx.app.inject({
    method: 'PATCH',
    url: `/v1/admin/comments/${id}`,
    headers: { ...ctx.headers, ...extra },
    payload: { status, note: `to ${status}` },
  });
}

describe('moderation', () => {
  it('moves a comment through every status in every direction, recording each decision', async () => {
    const ctx = await moderatorApp();
    const id = await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending' });
    let from: CommentStatus = 'pending';
    let expectedEvents = 0;
    for (const to of COMMENT_STATUSES) {
      for (const next of COMMENT_STATUSES) {
        if (next === to) continue;
        for (const step of [to, next]) {
          if (step === from) continue;
          const res = await decide(ctx, id, step);
          expect(res.statusCode).toBe(200);
          expect(res.json().status).toBe(step);
          expectedEvents += 1;
          const last = res.json().history.at(-1);
          expect(last).toMatchObject({ fromStatus: from, toStatus: step, actor: 'Mod Mary', note: `to ${step}` });
          from = step;
          const view = await publicView(ctx);
          expect(view.ids).toEqual(step === 'approved' ? [id] : []);
          expect(view.count).toBe(view.ids.length);
          expect(view.listed).toBe(view.ids.length);
        }
      }
    }
    const events = await ctx.db.read.select().from(moderationEvents);
    expect(events).toHaveLength(expectedEvents);
    // Deciding the same status again records nothing.
    const same = await decide(ctx, id, from);
    expect(same.statusCode).toBe(200);
    expect(await ctx.db.read.select().from(moderationEvents)).toHaveLength(expectedEvents);
  });

  it('shows a comment once approved, and hides it with its replies when rejected or deleted; counts follow', async () => {
    const ctx = await moderatorApp();
    const root = await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending' });
    const reply = await createComment(ctx.db, { articleId: ctx.article.id, parentId: root, status: 'approved' });
    expect(await publicView(ctx)).toEqual({ ids: [], count: 0, listed: 0 });
    await decide(ctx, root, 'approved');
    expect(await publicView(ctx)).toEqual({ ids: [root, reply], count: 2, listed: 2 });
    await decide(ctx, root, 'rejected');
    expect(await publicView(ctx)).toEqual({ ids: [], count: 0, listed: 0 });
    await decide(ctx, root, 'approved');
    const del = await ctx.app.inject({ method: 'DELETE', url: `/v1/admin/comments/${root}`, headers: ctx.headers });
    expect(del.statusCode).toBe(204);
    expect(await publicView(ctx)).toEqual({ ids: [], count: 0, listed: 0 });
    // A tombstone: gone from the queue and the admin read, but the row and its history remain.
    expect(
      (await ctx.app.inject({ method: 'GET', url: `/v1/admin/comments/${root}`, headers: ctx.headers })).statusCode,
    ).toBe(404);
    const queue = (await ctx.app.inject({ method: 'GET', url: '/v1/admin/comments', headers: ctx.headers })).json();
    expect(queue.data.map((c: { id: number }) => c.id)).toEqual([reply]);
    const row = (await ctx.db.read.select().from(comments)).find((c) => c.id === root)!;
    expect(row.deletedAt).not.toBeNull();
    const history = (await ctx.db.read.select().from(moderationEvents)).filter((e) => e.commentId === root);
    expect(history.map((e) => e.note)).toEqual(['to approved', 'to rejected', 'to approved', 'Deleted']);
  });

  it('lists the queue oldest first, filtered by status, article and text, with counts per status', async () => {
    const ctx = await moderatorApp();
    const other = await createArticle(ctx.db);
    const a = await createComment(ctx.db, {
      articleId: ctx.article.id,
      status: 'pending',
      body: 'About hips',
      createdAt: '2026-01-01T00:00:03.000Z',
    });
    const b = await createComment(ctx.db, {
      articleId: ctx.article.id,
      status: 'pending',
      body: 'About knees',
      createdAt: '2026-01-01T00:00:01.000Z',
    });
    await createComment(ctx.db, { articleId: ctx.article.id, status: 'spam', body: 'Buy now 100%_off' });
    await createComment(ctx.db, { articleId: other.id, status: 'pending', body: 'Elsewhere' });
    await createComment(ctx.db, {
      articleId: ctx.article.id,
      status: 'approved',
      body: 'Deleted one',
      deletedAt: '2026-01-02T00:00:00.000Z',
    });

    const pending = (
      await ctx.app.inject({
        method: 'GET',
        url: `/v1/admin/comments?status=pending&articleId=${ctx.article.id}`,
        headers: ctx.headers,
      })
    ).json();
    expect(pending.data.map((c: { id: number }) => c.id)).toEqual([b, a]);
    expect(pending.data[0]).toMatchObject({
      articleSlug: ctx.article.slug,
      authorEmail: expect.stringContaining('@'),
      spamScore: 0,
    });
    expect(pending.meta.counts).toEqual({ pending: 2, approved: 0, rejected: 0, spam: 1 });

    const text = (
      await ctx.app.inject({ method: 'GET', url: '/v1/admin/comments?q=100%25_off', headers: ctx.headers })
    ).json();
    expect(text.data.map((c: { body: string }) => c.body)).toEqual(['Buy now 100%_off']);
    const wildcard = (
      await ctx.app.inject({ method: 'GET', url: '/v1/admin/comments?q=%25', headers: ctx.headers })
    ).json();
    // Full text, not LIKE: a search with no words matches no text (only an e-mail spelled exactly).
    expect(wildcard.data).toHaveLength(0);

    const page1 = (
      await ctx.app.inject({ method: 'GET', url: '/v1/admin/comments?limit=2', headers: ctx.headers })
    ).json();
    const page2 = (
      await ctx.app.inject({
        method: 'GET',
        url: `/v1/admin/comments?limit=2&cursor=${page1.meta.nextCursor}`,
        headers: ctx.headers,
      })
    ).json();
    expect([...page1.data, ...page2.data]).toHaveLength(4);
    expect(page2.meta.nextCursor).toBeNull();
  });

  it('shows a comment with its spam signals and history, and an ETag', async () => {
    const ctx = await moderatorApp();
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/articles/${ctx.article.slug}/comments`,
      payload: { authorName: 'Bot', authorEmail: 'bot@example.org', body: 'hello', website: 'x' },
    });
    const id = res.json().id;
    const detail = await ctx.app.inject({ method: 'GET', url: `/v1/admin/comments/${id}`, headers: ctx.headers });
    expect(detail.statusCode).toBe(200);
    expect(detail.headers.etag).toBe(`"comment-${id}-r1"`);
    expect(detail.json()).toMatchObject({
      status: 'spam',
      // A filled honeypot, and no renderedAt (forms send it; scripts usually don't).
      spamScore: 1.3,
      spamSignals: { honeypot: 1, noRenderedAt: 0.3 },
      history: [{ fromStatus: null, toStatus: 'spam', actor: 'system' }],
    });
  });

  it('refuses a decision with a stale If-Match when two moderators race (412)', async () => {
    const ctx = await moderatorApp();
    const other = bearer(await createKeyFor(ctx.db, 'admin', 'Admin Al'));
    const id = await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending' });
    const read = await ctx.app.inject({ method: 'GET', url: `/v1/admin/comments/${id}`, headers: ctx.headers });
    const etag = read.headers.etag as string;
    const first = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/comments/${id}`,
      headers: { ...other, 'if-match': etag },
      payload: { status: 'approved' },
    });
    expect(first.statusCode).toBe(200);
    const second = await decide(ctx, id, 'rejected', { 'if-match': etag });
    expect(second.statusCode).toBe(412);
    expect(second.json().code).toBe('precondition_failed');
    const stale = await ctx.app.inject({
      method: 'DELETE',
      url: `/v1/admin/comments/${id}`,
      headers: { ...ctx.headers, 'if-match': etag },
    });
    expect(stale.statusCode).toBe(412);
    const now = (await ctx.app.inject({ method: 'GET', url: `/v1/admin/comments/${id}`, headers: ctx.headers })).json();
    expect(now).toMatchObject({ status: 'approved' });
    expect(now.history.at(-1)).toMatchObject({ actor: 'Admin Al', toStatus: 'approved' });
  });

  it('decides in bulk in one transaction, reporting unknown and deleted ids', async () => {
    const ctx = await moderatorApp();
    const a = await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending' });
    const b = await createComment(ctx.db, { articleId: ctx.article.id, status: 'approved' });
    const gone = await createComment(ctx.db, {
      articleId: ctx.article.id,
      status: 'pending',
      deletedAt: '2026-01-02T00:00:00.000Z',
    });
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/comments/bulk',
      headers: ctx.headers,
      payload: { ids: [a, b, 9999, gone, a], status: 'approved', note: 'Looks fine' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'approved', updated: [a, b], notFound: [9999, gone] });
    expect((await publicView(ctx)).ids).toEqual([a, b]);
    const events = (await ctx.db.read.select().from(moderationEvents)).filter((e) => e.note === 'Looks fine');
    expect(events.map((e) => e.commentId)).toEqual([a]);

    const tooMany = await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/comments/bulk',
      headers: ctx.headers,
      payload: { ids: Array.from({ length: 101 }, (_, i) => i + 1), status: 'spam' },
    });
    expect(tooMany.statusCode).toBe(400);
  });

  it('answers 404 for unknown comments and 400 for bad decisions', async () => {
    const ctx = await moderatorApp();
    expect((await decide(ctx, 999, 'approved')).statusCode).toBe(404);
    const id = await createComment(ctx.db, { articleId: ctx.article.id });
    const bad = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/comments/${id}`,
      headers: ctx.headers,
      payload: { status: 'deleted' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/status');
  });

  it('keeps editors out of moderation and moderators out of editing', async () => {
    const ctx = await moderatorApp();
    const editor = bearer(await createKeyFor(ctx.db, 'editor'));
    const id = await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending' });
    expect(
      (
        await ctx.app.inject({
          method: 'PATCH',
          url: `/v1/admin/comments/${id}`,
          headers: editor,
          payload: { status: 'approved' },
        })
      ).statusCode,
    ).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/admin/comments', headers: editor })).statusCode).toBe(403);
    expect(
      (
        await ctx.app.inject({
          method: 'PATCH',
          url: `/v1/admin/articles/${ctx.article.id}`,
          headers: ctx.headers,
          payload: { title: 'x' },
        })
      ).statusCode,
    ).toBe(403);
    expect((await ctx.db.read.select().from(comments))[0]!.status).toBe('pending');
  });
});
