import { describe, expect, it } from 'vitest';
import { createTestApp, tables, testConfig } from '../helpers/app.js';
import { openSharedTestDatabases } from '../helpers/databases.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { comments } = tables;
type App = Awaited<ReturnType<typeof createTestApp>>;

/** An app with a moderator and an admin key; `submit` posts as a reader and returns what was stored. */
async function setup(ctx?: App) {
  const app = ctx ?? (await createTestApp({ config: { comments: { ...testConfig().comments, rateLimitMax: 1000 } } }));
  const moderator = bearer(await createKeyFor(app.db, 'moderator', 'Mod Mary'));
  const admin = bearer(await createKeyFor(app.db, 'admin', 'Root'));
  return { ...app, moderator, admin };
}

let n = 0;
async function submit(
  ctx: App,
  slug: string,
  payload: Record<string, unknown> = {},
  remoteAddress = '203.0.113.7',
): Promise<{ status: string; spamSignals: Record<string, number> }> {
  n += 1;
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/v1/articles/${slug}/comments`,
    remoteAddress,
    payload: {
      authorName: 'Ada',
      authorEmail: `reader${n}@example.org`,
      body: `A thoughtful comment ${n}`,
      renderedAt: new Date(ctx.clock.now.getTime() - 60_000).toISOString(),
      ...payload,
      // The same text twice from one address is a duplicate (409): every body is new.
      ...(typeof payload.body === 'string' ? { body: `${payload.body} (${n})` } : {}),
    },
  });
  expect(res.statusCode).toBe(202);
  const id = res.json().id as number;
  const row = (await ctx.db.read.select().from(comments)).find((c) => c.id === id)!;
  return { status: row.status, spamSignals: row.spamSignals };
}

function block(ctx: App, headers: Record<string, string>, payload: unknown) {
  return ctx.app.inject({ method: 'POST', url: '/v1/admin/comment-blocks', headers, payload: payload as object });
}

describe('comment blocks', () => {
  it('lets a moderator and an admin create, list, read and delete blocks', async () => {
    const ctx = await setup();
    const created = await block(ctx, ctx.moderator, { kind: 'word', value: '  Turnip ' });
    expect(created.statusCode).toBe(201);
    const word = created.json();
    expect(word).toEqual({
      id: expect.any(Number),
      kind: 'word',
      value: 'turnip',
      createdBy: 'Mod Mary',
      createdAt: ctx.clock.now.toISOString(),
    });
    expect(created.headers.location).toBe(`/v1/admin/comment-blocks/${word.id}`);
    const email = (await block(ctx, ctx.admin, { kind: 'email', value: ' Spammer@Example.COM ' })).json();
    expect(email).toMatchObject({ kind: 'email', value: 'spammer@example.com', createdBy: 'Root' });
    const address = (await block(ctx, ctx.moderator, { kind: 'address', value: '198.51.100.23' })).json();
    // Only the salted hash comments keep is stored, never the address.
    expect(address.value).toMatch(/^[0-9a-f]{64}$/);

    for (const headers of [ctx.moderator, ctx.admin]) {
      const list = await ctx.app.inject({ method: 'GET', url: '/v1/admin/comment-blocks', headers });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({ data: [word, email, address], meta: { limit: 3, nextCursor: null } });
      const one = await ctx.app.inject({ method: 'GET', url: created.headers.location as string, headers });
      expect(one.statusCode).toBe(200);
      expect(one.json()).toEqual(word);
    }

    const removed = await ctx.app.inject({
      method: 'DELETE',
      url: `/v1/admin/comment-blocks/${word.id}`,
      headers: ctx.admin,
    });
    expect(removed.statusCode).toBe(204);
    expect(removed.body).toBe('');
    for (const method of ['GET', 'DELETE'] as const) {
      const gone = await ctx.app.inject({ method, url: `/v1/admin/comment-blocks/${word.id}`, headers: ctx.moderator });
      expect(gone.statusCode).toBe(404);
      expect(gone.headers['content-type']).toContain('application/problem+json');
    }
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/admin/comment-blocks', headers: ctx.moderator });
    expect(list.json().data).toEqual([email, address]);
  });

  it('refuses an editor and a missing key, and changes nothing for them', async () => {
    const ctx = await setup();
    const editor = bearer(await createKeyFor(ctx.db, 'editor', 'Ed'));
    expect((await block(ctx, editor, { kind: 'word', value: 'turnip' })).statusCode).toBe(403);
    expect((await block(ctx, {}, { kind: 'word', value: 'turnip' })).statusCode).toBe(401);
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/admin/comment-blocks', headers: editor });
    expect(list.statusCode).toBe(403);
    const stored = await ctx.app.inject({ method: 'GET', url: '/v1/admin/comment-blocks', headers: ctx.admin });
    expect(stored.json().data).toEqual([]);
  });

  it('applies a blocked word, e-mail or address to the very next submission, and an unblock at once', async () => {
    const ctx = await setup();
    const { slug } = await createArticle(ctx.db);
    expect(await submit(ctx, slug, { body: 'Visit my TURNIP tonight' })).toEqual({
      status: 'pending',
      spamSignals: {},
    });

    const word = (await block(ctx, ctx.moderator, { kind: 'word', value: 'turnip' })).json();
    expect(await submit(ctx, slug, { body: 'Visit my TURNIP tonight' })).toEqual({
      status: 'pending',
      spamSignals: { blockedWord: 0.6 },
    });
    // Two blocked words reach the spam threshold (1) on their own.
    await block(ctx, ctx.moderator, { kind: 'word', value: 'parsnip soup' });
    expect(await submit(ctx, slug, { body: 'turnip with PARSNIP SOUP' })).toEqual({
      status: 'spam',
      spamSignals: { blockedWord: 1.2 },
    });

    await block(ctx, ctx.moderator, { kind: 'email', value: 'Pest@Example.org' });
    expect(await submit(ctx, slug, { authorEmail: 'PEST@example.ORG' })).toEqual({
      status: 'spam',
      spamSignals: { blockedAuthor: 1 },
    });
    expect((await submit(ctx, slug, { authorEmail: 'friend@example.org' })).status).toBe('pending');

    // An address in any notation is the same client (an IPv4-mapped IPv6 address included).
    const address = (await block(ctx, ctx.admin, { kind: 'address', value: '::ffff:198.51.100.23' })).json();
    expect(await submit(ctx, slug, {}, '198.51.100.23')).toEqual({ status: 'spam', spamSignals: { blockedAuthor: 1 } });
    expect((await submit(ctx, slug, {}, '198.51.100.24')).status).toBe('pending');

    for (const id of [word.id, address.id]) {
      const res = await ctx.app.inject({
        method: 'DELETE',
        url: `/v1/admin/comment-blocks/${id}`,
        headers: ctx.moderator,
      });
      expect(res.statusCode).toBe(204);
    }
    expect(await submit(ctx, slug, { body: 'Visit my turnip tonight' }, '198.51.100.23')).toEqual({
      status: 'pending',
      spamSignals: {},
    });
  });

  it('applies a block made through one process to submissions through another at once', async () => {
    const [one, other] = await openSharedTestDatabases();
    const first = await setup(await createTestApp({ db: one }));
    const second = await createTestApp({ db: other, clock: first.clock });
    const { slug } = await createArticle(first.db);
    expect((await submit(second, slug, { authorEmail: 'pest@example.org' })).status).toBe('pending');
    expect((await block(first, first.moderator, { kind: 'email', value: 'pest@example.org' })).statusCode).toBe(201);
    expect(await submit(second, slug, { authorEmail: 'pest@example.org' })).toEqual({
      status: 'spam',
      spamSignals: { blockedAuthor: 1 },
    });
  });

  it('answers 409 for a block that exists, however it is written, and stores it once', async () => {
    const ctx = await setup();
    const duplicates = [
      [
        { kind: 'word', value: 'Turnip' },
        { kind: 'word', value: 'turnip ' },
      ],
      [
        { kind: 'email', value: 'pest@example.org' },
        { kind: 'email', value: 'PEST@example.org' },
      ],
      [
        { kind: 'address', value: '2001:db8::1' },
        { kind: 'address', value: '2001:0DB8:0:0:0:0:0:1' },
      ],
    ];
    for (const [original, again] of duplicates) {
      expect((await block(ctx, ctx.moderator, original)).statusCode).toBe(201);
      const res = await block(ctx, ctx.admin, again);
      expect(res.statusCode).toBe(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status: 409, code: expect.any(String) });
    }
    // The same value under another kind is another block.
    expect((await block(ctx, ctx.moderator, { kind: 'word', value: 'pest@example.org' })).statusCode).toBe(201);
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/admin/comment-blocks', headers: ctx.moderator });
    expect(list.json().data).toHaveLength(4);
  });

  it('refuses bad input with 400 naming the field, and stores nothing', async () => {
    const ctx = await setup();
    const bad: [unknown, string][] = [
      [{ kind: 'phrase', value: 'turnip' }, '/kind'],
      [{ kind: 'word', value: '   ' }, '/value'],
      [{ kind: 'word', value: 'x'.repeat(255) }, '/value'],
      [{ kind: 'word' }, '/value'],
      [{ kind: 'email', value: 'not-an-email' }, '/value'],
      [{ kind: 'address', value: '300.1.1.1' }, '/value'],
      [{ kind: 'address', value: 'example.org' }, '/value'],
      [{ kind: 'word', value: 'turnip', note: 'extra' }, ''],
    ];
    for (const [payload, pointer] of bad) {
      const res = await block(ctx, ctx.moderator, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const errors = res.json().errors as { pointer?: string }[];
      expect(errors.length).toBeGreaterThan(0);
      if (pointer) expect(errors.map((e) => e.pointer)).toContain(pointer);
    }
    for (const url of ['/v1/admin/comment-blocks/0', '/v1/admin/comment-blocks/abc']) {
      expect((await ctx.app.inject({ method: 'GET', url, headers: ctx.moderator })).statusCode).toBe(400);
    }
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/admin/comment-blocks', headers: ctx.moderator });
    expect(list.json().data).toEqual([]);
  });
});
