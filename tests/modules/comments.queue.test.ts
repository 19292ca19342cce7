import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedSynthetic } from '../../seeds/synthetic.js';
import { insertRows } from '../../src/db/bulk.js';
import { COMMENT_STATUSES } from '../../src/db/schema.js';
import { listQueueItems } from '../../src/modules/comments/comments.repository.js';
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

/** What a recount over every live comment (of one article) says, to compare the kept counts with. */
async function recount(ctx: Ctx, articleId?: number) {
  const rows = await ctx.db.read
    .select({ status: comments.status, deletedAt: comments.deletedAt, articleId: comments.articleId })
    .from(comments);
  const counts = Object.fromEntries(COMMENT_STATUSES.map((s) => [s, 0])) as Record<string, number>;
  for (const row of rows)
    if (row.deletedAt === null && (articleId === undefined || row.articleId === articleId)) counts[row.status]! += 1;
  return counts;
}

describe('the queue at scale', () => {
  it('keeps meta.counts exact through submission, decisions, bulk, bulk by filter, delete and the seeder', async () => {
    const ctx = await moderatorApp();
    const other = await createArticle(ctx.db);
    await createComment(ctx.db, { articleId: other.id, status: 'pending' });
    const expectExact = async () => {
      expect((await queue(ctx)).meta.counts).toEqual(await recount(ctx));
      // Per article too (kept by the same triggers, migration 0003), for every article there is.
      const articleIds = new Set(
        (await ctx.db.read.select({ id: comments.articleId }).from(comments)).map((r) => r.id),
      );
      for (const id of new Set([ctx.article.id, other.id, ...articleIds])) {
        const page = await queue(ctx, `articleId=${id}`);
        expect(page.meta.counts, `article ${id}`).toEqual(await recount(ctx, id));
        expect(page.meta.countsExact).toBe(true);
      }
    };
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
    const ids = (await queue(ctx, `status=pending&articleId=${ctx.article.id}`)).data.map((c: { id: number }) => c.id);
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
      payload: { filter: { status: 'pending', articleId: ctx.article.id, maxId }, status: 'rejected' },
    });
    expect(byFilter.json().changed).toBe(2);
    await expectExact();
    const deleted = await ctx.app.inject({
      method: 'DELETE',
      url: `/v1/admin/comments/${ids[0]}`,
      headers: ctx.headers,
    });
    expect(deleted.statusCode).toBe(204);
    expect((await queue(ctx, `articleId=${ctx.article.id}`)).meta.counts).toEqual({
      pending: 0,
      approved: 0,
      rejected: 2,
      spam: 1,
    });
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

  it('reads the unfiltered and per-article counts without counting comments', async () => {
    const statements: string[] = [];
    const ctx = await moderatorApp((sql) => statements.push(sql));
    await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending' });
    statements.length = 0;
    expect((await queue(ctx, 'status=pending')).meta.counts.pending).toBe(1);
    expect((await queue(ctx, `status=pending&articleId=${ctx.article.id}`)).meta.counts.pending).toBe(1);
    expect(statements.filter((s) => /count\(/i.test(s))).toEqual([]);
    expect(statements.some((s) => s.includes('comment_counts'))).toBe(true);
    expect(statements.some((s) => s.includes('comment_article_counts'))).toBe(true);
  });

  it('counts a text filter among its newest 1,000 matches, saying when the counts are lower bounds', async () => {
    const ctx = await moderatorApp();
    const other = await createArticle(ctx.db);
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    // 1,001 comments with one word: the oldest is beyond the count.
    await ctx.db.withTransaction(async (tx) => {
      await insertRows({
        db: tx,
        table: tables.comments,
        rows: Array.from({ length: 1001 }, (_, i) => ({
          articleId: i % 2 === 0 ? ctx.article.id : other.id,
          authorName: 'Zed',
          authorEmail: `z${i}@example.com`,
          body: `Zebra ${i}`,
          status: i === 0 ? ('spam' as const) : ('pending' as const),
          contentHash: `h${i}`,
          createdAt: at(i),
          updatedAt: at(i),
        })),
      });
    });
    const all = await queue(ctx, 'q=zebra&limit=5');
    expect(all.meta).toMatchObject({
      counts: { pending: 1000, approved: 0, rejected: 0, spam: 0 },
      countsExact: false,
    });
    // The page itself is not bounded: the oldest match is listed first.
    expect(all.data[0].body).toBe('Zebra 0');
    expect((await queue(ctx, 'q=zebra&status=spam')).data.map((c: { body: string }) => c.body)).toEqual(['Zebra 0']);
    const one = await queue(ctx, `q=zebra&articleId=${other.id}&order=newest&limit=1`);
    expect(one.meta).toMatchObject({ counts: { pending: 500, spam: 0 }, countsExact: false });
    expect(one.data[0].body).toBe('Zebra 999');
    expect((await queue(ctx, 'q=zebra 1000')).meta).toMatchObject({ counts: { pending: 1 }, countsExact: true });
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
    expect(counted.meta.countsExact).toBe(true);
    expect((await queue(ctx, `articleId=${ctx.article.id}&q=knees`)).meta.counts.approved).toBe(1);
  });

  it('finds a prefix standing for one, several or many indexed words, or a word with a diacritic', async () => {
    const ctx = await moderatorApp();
    const make = (body: string, status: 'pending' | 'approved' = 'pending') =>
      createComment(ctx.db, { articleId: ctx.article.id, status, body });
    const drive = await make('A long drive');
    const drives = await make('Long drives hurt', 'approved');
    const driving = await make('Driving all day');
    // Ten words starting with "st": more than a prefix is spelt out as.
    const many = [];
    for (const word of ['stab', 'stack', 'staff', 'stage', 'stain', 'stair', 'stake', 'stale', 'stall', 'stamp'])
      many.push(await make(`A ${word} in the back`));
    const cafe = await make('Le café du coin');
    const ids = async (q: string, extra = '') =>
      (await queue(ctx, `q=${encodeURIComponent(q)}${extra}`)).data.map((c: { id: number }) => c.id).sort();
    expect(await ids('driv')).toEqual([drive, drives, driving].sort());
    expect(await ids('drive long')).toEqual([drive, drives].sort());
    expect(await ids('drives')).toEqual([drives]);
    expect(await ids('dri', '&status=approved')).toEqual([drives]);
    expect(await ids('st', '&limit=100')).toEqual([...many].sort());
    expect(await ids('st back a')).toEqual([...many].sort().slice(0, 20));
    expect(await ids('drivez')).toEqual([]);
    expect(await ids('long nothing')).toEqual([]);
    // A word with a diacritic stays a prefix query (SQLite folds it like the text; PostgreSQL's 'simple' keeps it).
    expect(await ids('CAFÉ')).toEqual([cafe]);
    expect(await ids('caf')).toEqual([cafe]);
    expect(await ids('caf du')).toEqual([cafe]);
    const counted = await queue(ctx, 'q=driv');
    expect(counted.meta.counts).toEqual({ pending: 2, approved: 1, rejected: 0, spam: 0 });
  });
});

describe('the text filter, whichever way a page meets it', () => {
  it('lists the same comments driven by the matches, walking a set of them, or probing each comment', async () => {
    const ctx = await moderatorApp();
    const other = await createArticle(ctx.db);
    const bodies = ['A long drive home', 'Long drives hurt', 'Driving all day', 'Knees ache', 'Stairs and drives'];
    const names = ['Mira Long', 'Jo', 'Miranda', 'Al'];
    const statuses = ['pending', 'approved', 'spam'] as const;
    const made: { id: number; words: string[]; status: string; articleId: number }[] = [];
    for (let i = 0; i < 24; i++) {
      const row = {
        articleId: i % 3 === 0 ? other.id : ctx.article.id,
        status: statuses[i % 3]!,
        body: bodies[i % bodies.length]!,
        authorName: names[i % names.length]!,
      };
      const id = await createComment(ctx.db, row);
      made.push({ id, words: `${row.body} ${row.authorName}`.toLowerCase().split(/[^a-z]+/), ...row });
    }
    // The meaning: every word of the query starts a word of the body or the author name.
    const expected = (q: string, keep: (c: (typeof made)[number]) => boolean) =>
      made
        .filter((c) => keep(c) && q.split(' ').every((w) => c.words.some((word) => word.startsWith(w))))
        .map((c) => c.id);
    const cases = [
      { text: 'driv', filter: {}, keep: () => true },
      {
        text: 'long drives',
        filter: { status: 'approved' as const },
        keep: (c: { status: string }) => c.status === 'approved',
      },
      { text: 'mira', filter: { articleId: other.id }, keep: (c: { articleId: number }) => c.articleId === other.id },
      {
        text: 'mira l',
        filter: { status: 'spam' as const, articleId: ctx.article.id },
        keep: (c: { status: string; articleId: number }) => c.status === 'spam' && c.articleId === ctx.article.id,
      },
      { text: 'nothing', filter: {}, keep: () => true },
    ];
    for (const { text, filter, keep } of cases) {
      const want = expected(text, keep);
      for (const textPlan of ['driven', 'walked', 'probed'] as const)
        for (const order of ['oldest', 'newest'] as const) {
          const rows = await listQueueItems({
            db: ctx.db.read,
            filter: { ...filter, text, textPlan },
            order,
            limit: 50,
          });
          const ids = rows.map((r) => r.comment.id);
          expect(ids, `${text} ${textPlan} ${order}`).toEqual(order === 'oldest' ? want : [...want].reverse());
        }
    }
  });

  it('finds a comment by its new text once its body or author name changes', async () => {
    const ctx = await moderatorApp();
    const id = await createComment(ctx.db, { articleId: ctx.article.id, status: 'pending', body: 'Old words' });
    await ctx.db.withTransaction((tx) =>
      tx.update(comments).set({ body: 'Fresh phrasing', authorName: 'Quentin' }).where(eq(comments.id, id)),
    );
    const ids = async (q: string) => (await queue(ctx, `q=${q}`)).data.map((c: { id: number }) => c.id);
    expect(await ids('old')).toEqual([]);
    expect(await ids('fresh phras')).toEqual([id]);
    expect(await ids('quent')).toEqual([id]);
  });
});

describe('the newest matches a text filter counts', () => {
  it('are exactly the newest 1,000 however dense the words, past the first comments the sample walks', async () => {
    const ctx = await moderatorApp();
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    const total = 30_000;
    // i = 0 is the oldest. "walker": 1 in 6 throughout; "gap": 1 in 5 among the newest 4,000, then
    // none until the oldest 3,000 (1 in 3); "rare": 1 in 1,500; "dense": 1 in 2.
    const wordsOf = (i: number) => {
      const fromNewest = total - 1 - i;
      const words = [];
      if (i % 6 === 0) words.push('walker');
      if ((fromNewest < 4000 && i % 5 === 0) || (i < 3000 && i % 3 === 0)) words.push('gap');
      if (i % 1500 === 7) words.push('rare');
      if (i % 2 === 1) words.push('dense');
      return words;
    };
    const statusOf = (i: number) => COMMENT_STATUSES[Math.floor(i / 7) % 4]!;
    for (let start = 0; start < total; start += 1000)
      await ctx.db.withTransaction((tx) =>
        insertRows({
          db: tx,
          table: tables.comments,
          rows: Array.from({ length: 1000 }, (_, k) => {
            const i = start + k;
            return {
              articleId: ctx.article.id,
              authorName: 'Sam',
              authorEmail: `s${i}@example.com`,
              body: `Note ${wordsOf(i).join(' ')}`,
              status: statusOf(i),
              contentHash: `h${i}`,
              createdAt: at(i),
              updatedAt: at(i),
            };
          }),
        }),
      );
    for (const word of ['walker', 'gap', 'rare', 'dense']) {
      const matching = Array.from({ length: total }, (_, i) => i).filter((i) => wordsOf(i).includes(word));
      const expected = Object.fromEntries(COMMENT_STATUSES.map((s) => [s, 0])) as Record<string, number>;
      for (const i of matching.slice(-1000)) expected[statusOf(i)]! += 1;
      const page = await queue(ctx, `q=${word}&limit=1`);
      expect(page.meta.counts, word).toEqual(expected);
      expect(page.meta.countsExact, word).toBe(matching.length <= 1000);
    }
  });
});
