import { describe, expect, it } from 'vitest';
import { seedSynthetic } from '../../seeds/synthetic.js';
import { COMMENT_STATUSES } from '../../src/db/schema.js';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { comments } = tables;

async function moderatorApp(traceSql?: (sql: string) => void) {
  const ctx = await createTestApp(traceSql ? { traceSql } : {});
  const headers = bearer(await createKeyFor(ctx.db, 'moderator', 'Mod Mary'));
  const article = await createArticle(ctx.db);
  return { ...ctx, headers, article };
}

type Ctx = Awaited<ReturnType<typeof moderatorApp>>;

async function queue(ctx: Ctx, query = '') {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/admin/comments?${query}`, headers: ctx.headers });
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** What a recount over every live comment says, to compare the kept counts with. */
async function recount(ctx: Ctx) {
  const rows = await ctx.db.read.select({ status: comments.status, deletedAt: comments.deletedAt }).from(comments);
  const counts = Object.fromEntries(COMMENT_STATUSES.map((s) => [s, 0])) as Record<string, number>;
  for (const row of rows) if (row.deletedAt === null) counts[row.status]! += 1;
  return counts;
}

describe('the queue at scale', () => {
  it('keeps meta.counts exact through submission, decisions, bulk, bulk by filter, delete and the seeder', async () => {
    const ctx = await moderatorApp();
    const expectExact = async () => expect((await queue(ctx)).meta.counts).toEqual(await recount(ctx));
    await expectExact();
    for (let i = 0; i < 4; i++) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/v1/articles/${ctx.article.slug}/comments`,
        remoteAddress: `10.0.0.${i + 1}`,
        payload: { authorName: `R${i}`, authorEmail: `r${i}@example.com`, body: `Submitted ${i}` },
      });
      expect(res.statusCode).toBe(202);
    }
    await expectExact();
    const ids = (await queue(ctx, 'status=pending')).data.map((c: { id: number }) => c.id);
    const decided = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/comments/${ids[0]}`,
      headers: ctx.headers,
      payload: { status: 'approved' },
    });
    expect(decided.statusCode).toBe(200);
    await expectExact();
    const bulk = await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/comments/bulk',
      headers: ctx.headers,
      payload: { ids: [ids[1]], status: 'spam' },
    });
    expect(bulk.statusCode).toBe(200);
    await expectExact();
    const { maxId } = (await queue(ctx)).meta;
    const byFilter = await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/comments/bulk',
      headers: ctx.headers,
      payload: { filter: { status: 'pending', maxId }, status: 'rejected' },
    });
    expect(byFilter.json().changed).toBe(2);
    await expectExact();
    const deleted = await ctx.app.inject({
      method: 'DELETE',
      url: `/v1/admin/comments/${ids[0]}`,
      headers: ctx.headers,
    });
    expect(deleted.statusCode).toBe(204);
    expect((await queue(ctx)).meta.counts).toEqual({ pending: 0, approved: 0, rejected: 2, spam: 1 });
    await expectExact();
    await seedSynthetic({
      withTransaction: ctx.db.withTransaction,
      read: ctx.db.read,
      articles: 3,
      comments: 60,
      seed: 7,
    });
    await expectExact();
  });

  it('reads the unfiltered counts without counting comments', async () => {
    const statements: string[] = [];
    const ctx = await moderatorApp((sql) => statements.push(sql));
    await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending' });
    statements.length = 0;
    expect((await queue(ctx, 'status=pending')).meta.counts.pending).toBe(1);
    expect(statements.filter((s) => /count\(/i.test(s))).toEqual([]);
    expect(statements.some((s) => s.includes('comment_counts'))).toBe(true);
  });

  it('searches body and author name by whole words and prefixes, case-insensitively, and the e-mail exactly', async () => {
    const ctx = await moderatorApp();
    const hips = await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending', body: 'My HIPS ache' });
    const knees = await createComment(ctx.db, {
      articleId: ctx.article.id,
      status: 'approved',
      body: 'Knees, après la course',
      authorEmail: 'Jo@Example.com',
    });
    const ids = async (q: string, extra = '') =>
      (await queue(ctx, `q=${encodeURIComponent(q)}${extra}`)).data.map((c: { id: number }) => c.id);
    expect(await ids('hips')).toEqual([hips]);
    expect(await ids('Hip')).toEqual([hips]);
    expect(await ids('ache my')).toEqual([hips]);
    expect(await ids('hips knees')).toEqual([]);
    expect(await ids('knees')).toEqual([knees]);
    expect(await ids('jo@example.com')).toEqual([knees]);
    // The author name: the factory names readers "Reader <n>".
    expect((await ids('reader')).sort()).toEqual([hips, knees].sort());
    expect(await ids('hips', '&status=approved')).toEqual([]);
    const counted = await queue(ctx, 'q=reader');
    expect(counted.meta.counts).toEqual({ pending: 1, approved: 1, rejected: 0, spam: 0 });
    expect((await queue(ctx, `articleId=${ctx.article.id}&q=knees`)).meta.counts.approved).toBe(1);
  });
});
