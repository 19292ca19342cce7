import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { createTestApp, type TestClock, tables } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/factories.js';

const { comments, moderationEvents } = tables;

const reader = { authorName: 'Ada', authorEmail: 'ada@example.org' };

/** A form rendered a minute ago: the time-to-submit signal stays quiet. */
const renderedBefore = (clock: TestClock) => new Date(clock.now.getTime() - 60_000).toISOString();

async function stored(db: Awaited<ReturnType<typeof createTestApp>>['db']) {
  return db.read.select().from(comments);
}

describe('POST /v1/articles/{slug}/comments', () => {
  it('accepts a comment as pending (202), stores it, and keeps it out of the public thread', async () => {
    const { app, db, clock } = await createTestApp();
    const { slug } = await createArticle(db);
    const before = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    const res = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      payload: { ...reader, body: 'Helpful, thanks!', renderedAt: renderedBefore(clock) },
    });
    expect(res.statusCode).toBe(202);
    const [row] = await stored(db);
    expect(res.json()).toEqual({ id: row!.id, status: 'pending' });
    expect(res.body).not.toContain('ada@example.org');
    expect(row).toMatchObject({
      status: 'pending',
      body: 'Helpful, thanks!',
      authorEmail: 'ada@example.org',
      spamScore: 0,
      spamSignals: {},
    });
    expect(row!.addressHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.addressHash).not.toContain('127.0.0.1');
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${slug}/comments` })).json().data).toEqual([]);
    // A pending comment changes nothing public: the article's ETag stays valid.
    const after = await app.inject({
      method: 'GET',
      url: `/v1/articles/${slug}`,
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(304);
    const [event] = await db.read.select().from(moderationEvents);
    expect(event).toMatchObject({ commentId: row!.id, fromStatus: null, toStatus: 'pending', actor: 'system' });
  });

  it('stores XSS and SQL payloads byte for byte and returns them unchanged once approved', async () => {
    const { app, db, clock } = await createTestApp();
    const { slug } = await createArticle(db);
    const payloads = [
      `<script>alert("x")</script><img src=x onerror=alert(1)>`,
      `'); DROP TABLE comments; --`,
      `Robert"); DELETE FROM articles WHERE ("1"="1`,
      `  leading and trailing spaces, tabs\tand\nnewlines  `,
      `emoji 🏃‍♀️ and ünïcödé and \u0001 control`,
    ];
    for (const [i, body] of payloads.entries()) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        payload: { ...reader, authorName: `<b>Name ${i}</b>`, body, renderedAt: renderedBefore(clock) },
      });
      expect(res.statusCode).toBe(202);
    }
    const rows = await stored(db);
    expect(rows.map((r) => r.body)).toEqual(payloads);
    await db.withTransaction(async (tx) => {
      await tx.update(comments).set({ status: 'approved' });
    });
    const thread = (await app.inject({ method: 'GET', url: `/v1/articles/${slug}/comments` })).json();
    expect(thread.data.map((c: { body: string }) => c.body)).toEqual(payloads);
    expect(thread.data[0].authorName).toBe('<b>Name 0</b>');
  });

  it('refuses a NUL character (which PostgreSQL text cannot hold) with 400 naming the field, on both engines', async () => {
    const { app, db, clock } = await createTestApp();
    const { slug } = await createArticle(db);
    const res = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      payload: { ...reader, body: 'nul \u0000 here', renderedAt: renderedBefore(clock) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/body' })]);
    expect(await stored(db)).toEqual([]);
  });

  it('accepts a reply only to an approved root comment of the same article', async () => {
    const { app, db, clock } = await createTestApp();
    const { id: articleId, slug } = await createArticle(db);
    const other = await createArticle(db);
    const root = await createComment(db, { articleId });
    const pendingRoot = await createComment(db, { articleId, status: 'pending' });
    const reply = await createComment(db, { articleId, parentId: root });
    const foreign = await createComment(db, { articleId: other.id });
    const post = (parentId: number) =>
      app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        payload: { ...reader, body: `Reply to ${parentId}`, parentId, renderedAt: renderedBefore(clock) },
      });
    expect((await post(root)).statusCode).toBe(202);
    const answers = new Set<string>();
    for (const parentId of [pendingRoot, reply, foreign, 99_999]) {
      const res = await post(parentId);
      expect(res.statusCode, String(parentId)).toBe(422);
      expect(res.json().errors[0].pointer).toBe('/parentId');
      answers.add(res.json().errors[0].message);
    }
    // The same answer whatever the reason: a reader cannot probe hidden comments.
    expect(answers.size).toBe(1);
  });

  it('answers 404 for drafts, scheduled and missing articles, exactly like a missing one', async () => {
    const { app, db, clock } = await createTestApp();
    await createArticle(db, { slug: 'draft', status: 'draft' });
    await createArticle(db, { slug: 'soon', publishedAt: new Date(clock.now.getTime() + 60_000).toISOString() });
    for (const slug of ['draft', 'soon', 'missing']) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        payload: { ...reader, body: 'Hi' },
      });
      expect(res.statusCode).toBe(404);
    }
    expect(await stored(db)).toEqual([]);
  });

  it.each([
    [{ ...reader, body: '   ' }, '/body'],
    [{ ...reader, body: 'x'.repeat(5001) }, '/body'],
    [{ ...reader, authorEmail: 'not-an-email', body: 'Hi' }, '/authorEmail'],
    [{ authorEmail: 'a@example.org', body: 'Hi' }, '/authorName'],
    [{ ...reader, body: 'Hi', status: 'approved' }, '/status'],
    [{ ...reader, body: 'Hi', renderedAt: 'yesterday' }, '/renderedAt'],
  ])('refuses %j with a 400 naming the field', async (payload, pointer) => {
    const { app, db } = await createTestApp();
    const { slug } = await createArticle(db);
    const res = await app.inject({ method: 'POST', url: `/v1/articles/${slug}/comments`, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    expect(await stored(db)).toEqual([]);
  });

  it('refuses the same text from the same address within the window (409), but not after it', async () => {
    const { app, db, clock } = await createTestApp();
    const { slug } = await createArticle(db);
    const send = (body: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        payload: { ...reader, body, renderedAt: renderedBefore(clock) },
      });
    expect((await send('Great article')).statusCode).toBe(202);
    const again = await send('  GREAT   article ');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('conflict');
    clock.advance(600_001);
    expect((await send('Great article')).statusCode).toBe(202);
    expect(await stored(db)).toHaveLength(2);
  });
});

describe('spam filtering', () => {
  async function submit(payload: Record<string, unknown>, options: { config?: Partial<Config> } = {}) {
    const ctx = await createTestApp(options);
    const { slug } = await createArticle(ctx.db);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      payload: { ...reader, renderedAt: renderedBefore(ctx.clock), ...payload },
    });
    const [row] = await stored(ctx.db);
    return { res, row: row!, ctx, slug };
  }

  it('routes a filled honeypot to spam while still answering "pending"', async () => {
    const { res, row } = await submit({ body: 'Nice', website: 'http://spam.example' });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('pending');
    expect(row).toMatchObject({ status: 'spam', spamScore: 1, spamSignals: { honeypot: 1 } });
  });

  it('routes a form submitted faster than the minimum to spam', async () => {
    const ctx = await createTestApp();
    const { slug } = await createArticle(ctx.db);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      payload: { ...reader, body: 'Fast', renderedAt: new Date(ctx.clock.now.getTime() - 1000).toISOString() },
    });
    expect(res.json()).toMatchObject({ status: 'pending' });
    expect((await stored(ctx.db))[0]).toMatchObject({ status: 'spam', spamSignals: { tooFast: 1 } });
  });

  it('adds up links, blocked words and repeated characters into a score', async () => {
    const { row } = await submit({ body: 'Cheap viagra!!!!!!!!!!!! at https://a.example and www.b.example' });
    expect(row.spamSignals).toEqual({ link: 0.7, blockedWord: 0.6, repeatedCharacters: 0.3 });
    expect(row).toMatchObject({ status: 'spam', spamScore: 1.6 });
    const { row: one } = await submit({ body: 'My notes are at https://a.example' });
    expect(one).toMatchObject({ status: 'pending', spamScore: 0.35, spamSignals: { link: 0.35 } });
  });

  it('remembers an address that sent spam', async () => {
    const { ctx, slug } = await submit({ body: 'first', website: 'filled' });
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      payload: {
        ...reader,
        body: 'see https://x.example and https://y.example',
        renderedAt: renderedBefore(ctx.clock),
      },
    });
    expect(res.statusCode).toBe(202);
    const rows = await stored(ctx.db);
    // Two links alone (0.7) would stay pending; the address's history tips it over.
    expect(rows[1]).toMatchObject({
      status: 'spam',
      spamSignals: { link: 0.7, knownSpamAddress: 0.6 },
      spamScore: 1.3,
    });
  });

  it('uses the configured threshold and word list', async () => {
    const { row } = await submit(
      { body: 'I love turnips' },
      {
        config: {
          comments: {
            rateLimitMax: 5,
            rateLimitWindowMs: 60_000,
            minSubmitSeconds: 3,
            duplicateWindowMs: 600_000,
            spamThreshold: 0.5,
            blockedWords: ['turnip'],
            trustAfter: 1,
            spamMemoryDays: 30,
            holdLinks: 2,
          },
        },
      },
    );
    expect(row).toMatchObject({ status: 'spam', spamSignals: { blockedWord: 0.6 } });
  });
});

describe('rate limit', () => {
  const policy = {
    rateLimitMax: 2,
    rateLimitWindowMs: 60_000,
    minSubmitSeconds: 0,
    duplicateWindowMs: 600_000,
    spamThreshold: 1,
    blockedWords: [],
    trustAfter: 1,
    spamMemoryDays: 30,
    holdLinks: 2,
  };

  it('answers 429 with Retry-After and a problem body past the limit; reads are not limited', async () => {
    const { app, db } = await createTestApp({ config: { comments: policy } });
    const { slug } = await createArticle(db);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push(
        (
          await app.inject({
            method: 'POST',
            url: `/v1/articles/${slug}/comments`,
            payload: { ...reader, body: `Comment ${i}` },
          })
        ).statusCode,
      );
    }
    expect(statuses).toEqual([202, 202, 429]);
    const limited = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      payload: { ...reader, body: 'Another' },
    });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(limited.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(await stored(db)).toHaveLength(2);
    for (let i = 0; i < 10; i += 1)
      expect((await app.inject({ method: 'GET', url: `/v1/articles/${slug}/comments` })).statusCode).toBe(200);
  });

  it('gives no fresh allowance for a forged X-Forwarded-For when no proxy is trusted', async () => {
    const { app, db } = await createTestApp({ config: { comments: policy } });
    const { slug } = await createArticle(db);
    const results: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
        payload: { ...reader, body: `Forged ${i}` },
      });
      results.push(res.statusCode);
    }
    expect(results).toEqual([202, 202, 429, 429]);
  });

  it('limits by the forwarded client address when the proxy is trusted', async () => {
    const { app, db } = await createTestApp({ config: { comments: policy, trustProxy: ['127.0.0.1'] } });
    const { slug } = await createArticle(db);
    const send = (client: string, body: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': client },
        payload: { ...reader, body },
      });
    expect((await send('198.51.100.1', 'a')).statusCode).toBe(202);
    expect((await send('198.51.100.1', 'b')).statusCode).toBe(202);
    expect((await send('198.51.100.1', 'c')).statusCode).toBe(429);
    expect((await send('198.51.100.2', 'd')).statusCode).toBe(202);
  });
});
