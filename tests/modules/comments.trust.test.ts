import { describe, expect, it } from 'vitest';
import type { CommentPolicy } from '../../src/config.js';
import { createTestApp, type TestClock, tables, testConfig } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { comments, moderationEvents } = tables;

const renderedBefore = (clock: TestClock) => new Date(clock.now.getTime() - 60_000).toISOString();

async function setup(policy: Partial<CommentPolicy> = {}) {
  const ctx = await createTestApp({
    config: { comments: { ...testConfig().comments, rateLimitMax: 1000, ...policy } },
  });
  const article = await createArticle(ctx.db);
  const headers = bearer(await createKeyFor(ctx.db, 'moderator', 'Mod Mary'));
  let n = 0;
  const submit = async (
    payload: Record<string, unknown> = {},
    remoteAddress = '203.0.113.7',
  ): Promise<{ id: number; status: string; signals: Record<string, number>; note: string | null }> => {
    n += 1;
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/articles/${article.slug}/comments`,
      remoteAddress,
      payload: {
        authorName: 'Ada',
        authorEmail: 'ada@example.org',
        body: `Comment number ${n}`,
        renderedAt: renderedBefore(ctx.clock),
        ...payload,
      },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('pending');
    const { id } = res.json();
    const row = (await ctx.db.read.select().from(comments)).find((c) => c.id === id)!;
    const events = (await ctx.db.read.select().from(moderationEvents)).filter((e) => e.commentId === id);
    return { id, status: row.status, signals: row.spamSignals, note: events[0]!.note };
  };
  const decide = async (id: number, status: string) => {
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/comments/${id}`,
      headers,
      payload: { status },
    });
    expect(res.statusCode).toBe(200);
  };
  return { ...ctx, article, headers, submit, decide };
}

describe('returning readers', () => {
  it('approves at once an author with an approved comment, as system with its reason, counted and public', async () => {
    const ctx = await setup();
    const first = await ctx.submit({ authorEmail: 'Ada@Example.org' });
    expect(first.status).toBe('pending');
    await ctx.decide(first.id, 'approved');
    const before = await ctx.app.inject({ method: 'GET', url: `/v1/articles/${ctx.article.slug}` });
    expect(before.json().commentCount).toBe(1);
    // The same author by normalised e-mail (lowercased), from another address.
    const second = await ctx.submit({ authorEmail: 'ADA@example.ORG' }, '198.51.100.9');
    expect(second.status).toBe('approved');
    const events = (await ctx.db.read.select().from(moderationEvents)).filter((e) => e.commentId === second.id);
    expect(events).toMatchObject([
      { fromStatus: null, toStatus: 'approved', actor: 'system', note: expect.stringContaining('Trusted author') },
    ]);
    const after = await ctx.app.inject({ method: 'GET', url: `/v1/articles/${ctx.article.slug}` });
    expect(after.json().commentCount).toBe(2);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const thread = await ctx.app.inject({ method: 'GET', url: `/v1/articles/${ctx.article.slug}/comments` });
    expect(thread.json().data.map((c: { id: number }) => c.id)).toEqual([first.id, second.id]);
    // Another reader stays in the queue.
    expect((await ctx.submit({ authorEmail: 'bob@example.org' })).status).toBe('pending');
  });

  it('stops trusting after a rejection or spam until enough approvals follow, and is off at 0', async () => {
    const ctx = await setup({ trustAfter: 2 });
    const a = await ctx.submit();
    await ctx.decide(a.id, 'approved');
    const b = await ctx.submit();
    expect(b.status).toBe('pending'); // one approval of the two needed
    await ctx.decide(b.id, 'approved');
    const c = await ctx.submit();
    expect(c.status).toBe('approved');
    await ctx.decide(c.id, 'rejected');
    const d = await ctx.submit();
    expect(d.status).toBe('pending');
    await ctx.decide(d.id, 'approved');
    expect((await ctx.submit()).status).toBe('pending'); // one approval since the rejection
    const off = await setup({ trustAfter: 0 });
    const e = await off.submit();
    await off.decide(e.id, 'approved');
    expect((await off.submit()).status).toBe('pending');
  });

  it('holds a comment with more links than COMMENT_HOLD_LINKS, trusted or not', async () => {
    const ctx = await setup({ holdLinks: 2, spamThreshold: 5 });
    const a = await ctx.submit();
    await ctx.decide(a.id, 'approved');
    expect((await ctx.submit({ body: 'see https://a.example and https://b.example' })).status).toBe('approved');
    const held = await ctx.submit({ body: 'see https://a.example, https://b.example and https://c.example' });
    expect(held.status).toBe('pending');
    expect(held.note).toContain('3 links');
  });
});

describe('spam signals', () => {
  it('remembers spam by address and e-mail together, for COMMENT_SPAM_MEMORY_DAYS', async () => {
    const ctx = await setup({ spamMemoryDays: 30 });
    const spam = await ctx.submit({ website: 'filled' });
    expect(spam.status).toBe('spam');
    // Another reader behind the same address is not tainted.
    expect((await ctx.submit({ authorEmail: 'neighbour@example.org' })).signals).toEqual({});
    // The same reader at the same address is.
    expect((await ctx.submit()).signals).toEqual({ knownSpamAddress: 0.6 });
    ctx.clock.advance(31 * 86_400_000);
    expect((await ctx.submit()).signals).toEqual({});
  });

  it('scores a submission without renderedAt with its own small signal', async () => {
    const ctx = await setup();
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/articles/${ctx.article.slug}/comments`,
      payload: { authorName: 'Script', authorEmail: 's@example.org', body: 'Hello' },
    });
    expect(res.statusCode).toBe(202);
    const [row] = await ctx.db.read.select().from(comments);
    expect(row).toMatchObject({ status: 'pending', spamScore: 0.3, spamSignals: { noRenderedAt: 0.3 } });
  });

  it('does not spend the rate allowance on submissions refused with 400, 413 or 415', async () => {
    const ctx = await createTestApp({
      config: { bodyLimit: 4096, comments: { ...testConfig().comments, rateLimitMax: 2 } },
    });
    const { slug } = await createArticle(ctx.db);
    const url = `/v1/articles/${slug}/comments`;
    const refused = [
      await ctx.app.inject({ method: 'POST', url, payload: { authorName: 'A' } }),
      await ctx.app.inject({
        method: 'POST',
        url,
        payload: { authorName: 'A', authorEmail: 'a@example.org', body: 'x'.repeat(5000) },
      }),
      await ctx.app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, payload: 'hello' }),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([400, 413, 415]);
    const valid = (body: string) =>
      ctx.app.inject({ method: 'POST', url, payload: { authorName: 'A', authorEmail: 'a@example.org', body } });
    const first = await valid('one');
    expect(first.statusCode).toBe(202);
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    expect((await valid('two')).statusCode).toBe(202);
    expect((await valid('three')).statusCode).toBe(429);
  });
});
