import { asc, type SQL, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DatabaseHandles } from '../../src/db/client.js';
import { groupCommit, groupCommitWaiting, type Settled } from '../../src/db/group-commit.js';
import { lockArticle } from '../../src/modules/articles/articles.repository.js';
import { createTestApp, TEST_ENGINE, tables, testConfig } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/factories.js';

const { comments, moderationEvents, outboxEvents } = tables;

const reader = { authorName: 'Ada', authorEmail: 'ada@example.org' };

/** Bursts from one address, far below a real limit's concern. */
const unlimited = { config: { comments: { ...testConfig().comments, rateLimitMax: 1000 } } };

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Runs DDL on the writer connection (SQLite's read handle is read-only). */
async function exec(db: DatabaseHandles, statement: string): Promise<void> {
  await db.withTransaction(
    async (tx) => {
      const handle = tx as unknown as { run?: (q: SQL) => unknown; execute?: (q: SQL) => Promise<unknown> };
      if (db.dialect === 'sqlite') handle.run!(sql.raw(statement));
      else await handle.execute!(sql.raw(statement));
    },
    { touchesContent: false },
  );
}

describe('groupCommit', () => {
  it('writes the items that arrive while a batch runs together in the next batch, at most maxBatch at a time', async () => {
    const { db } = await createTestApp();
    const batches: number[][] = [];
    const first = gate();
    const write = groupCommit(
      db,
      async (items: readonly number[]): Promise<Settled<number>[]> => {
        batches.push([...items]);
        if (batches.length === 1) await first.opened;
        return items.map((n) => ({ ok: true, value: n * 10 }));
      },
      { maxBatch: 3 },
    );
    const answers = [write(1), write(2), write(3), write(4), write(5)];
    expect(groupCommitWaiting(db)).toBe(4);
    first.open();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    expect(groupCommitWaiting(db)).toBe(0);
  });

  it('answers each item with its own problem, retries a failed batch one item at a time (not for an error shared by all), and runs an item that asks for it alone', async () => {
    const { db } = await createTestApp();
    const batches: string[][] = [];
    let hold: Promise<void> | undefined;
    const write = groupCommit(
      db,
      async (items: readonly string[]): Promise<Settled<string>[]> => {
        batches.push([...items]);
        await hold;
        if (items.includes('broken')) throw new Error('the transaction rolled back');
        if (items.includes('busy')) throw new Error('the database is busy');
        return items.map((item) => {
          if (item === 'refused') return { ok: false, error: new Error('refused alone') };
          if (item === 'lonely' && items.length > 1) return { alone: true };
          return { ok: true, value: item.toUpperCase() };
        });
      },
      { maxBatch: 10, shared: (error) => (error as Error).message === 'the database is busy' },
    );
    const answer = (item: string) => write(item).catch((error: Error) => error.message);
    for (const [opening, burst, expected, written] of [
      [
        'opening',
        ['a', 'broken', 'b'],
        ['A', 'the transaction rolled back', 'B'],
        [['opening'], ['a', 'broken', 'b'], ['a'], ['broken'], ['b']],
      ],
      [
        'blocker',
        ['c', 'refused', 'lonely', 'd'],
        ['C', 'refused alone', 'LONELY', 'D'],
        [['blocker'], ['c', 'refused', 'lonely', 'd'], ['lonely']],
      ],
      // An error no item is to blame for reaches each of them at once, without one write per item.
      [
        'before',
        ['e', 'busy', 'f'],
        ['the database is busy', 'the database is busy', 'the database is busy'],
        [['before'], ['e', 'busy', 'f']],
      ],
    ] as const) {
      batches.length = 0;
      const held = gate();
      hold = held.opened;
      const first = answer(opening);
      const answers = burst.map(answer);
      held.open();
      expect(await first).toBe(opening.toUpperCase());
      expect(await Promise.all(answers)).toEqual(expected);
      expect(batches).toEqual(written);
    }
  });
});

describe('POST /v1/articles/{slug}/comments, submissions arriving together', () => {
  it('writes what is queued before the database closes, when the server stops', async () => {
    const { app, db } = await createTestApp(unlimited);
    const { slug, id } = await createArticle(db);
    // One submission first: the address salt is read once, outside any batch.
    await app.inject({ method: 'POST', url: `/v1/articles/${slug}/comments`, payload: { ...reader, body: 'Warm' } });
    // Another writer holds the article (SQLite: the write lock; PostgreSQL: a row lock the comments' foreign key waits for).
    const held = gate();
    const holder = db.withTransaction(async (tx) => {
      await lockArticle({ db: tx, id });
      await held.opened;
    });
    const responses = Array.from({ length: 20 }, (_, i) =>
      app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        payload: { ...reader, authorEmail: `reader${i}@example.org`, body: `Sent just before shutdown, ${i}` },
      }),
    );
    while (groupCommitWaiting(db) < 19) await new Promise((resolve) => setImmediate(resolve));
    // The server stops with a batch stuck behind the lock and the rest queued (their clients may be gone: nothing else waits for them).
    const closed = app.close();
    held.open();
    await holder;
    await closed;
    const statuses = (await Promise.all(responses)).map((r) => r.statusCode);
    expect(statuses).toEqual(Array(20).fill(202));
  });

  it('answers each with its own id or its own problem, each checked after the ones before it', async () => {
    const { app, db } = await createTestApp(unlimited);
    const { slug } = await createArticle(db);
    const post = (url: string, body: string, email = reader.authorEmail) =>
      app.inject({ method: 'POST', url, payload: { ...reader, authorEmail: email, body } });
    const bodies = Array.from({ length: 12 }, (_, i) => `Comment number ${i} of a burst`);
    const responses = await Promise.all([
      ...bodies.map((body, i) => post(`/v1/articles/${slug}/comments`, body, `reader${i}@example.org`)),
      post('/v1/articles/no-such-article/comments', 'Lost'),
      post(`/v1/articles/${slug}/comments`, 'Said twice in one burst'),
      post(`/v1/articles/${slug}/comments`, 'Said twice in one burst'),
    ]);
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.slice(0, 12)).toEqual(Array(12).fill(202));
    expect(statuses[12]).toBe(404);
    // The same text from the same address: whichever is checked second sees the first.
    expect(statuses.slice(13).sort()).toEqual([202, 409]);

    const rows = await db.read.select().from(comments).orderBy(asc(comments.id));
    expect(rows).toHaveLength(13);
    const accepted = responses.filter((r) => r.statusCode === 202).map((r) => r.json().id as number);
    expect(new Set(accepted).size).toBe(13);
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...accepted].sort((a, b) => a - b));
    for (const [i, body] of bodies.entries()) {
      const row = rows.find((r) => r.id === responses[i]!.json().id);
      expect(row).toMatchObject({ body, authorEmail: `reader${i}@example.org`, status: 'pending' });
    }
    // One moderation event and one outbox event per stored comment, none for the refused ones.
    const events = await db.read.select().from(moderationEvents);
    expect(events.map((e) => e.commentId).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
    const created = (await db.read.select().from(outboxEvents)).filter((e) => e.type === 'comment.created');
    expect(created.map((e) => e.resourceId).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
  });

  it('writes every pending comment with its own outbox event, and a database error fails only its own submission', async () => {
    const { app, db, clock } = await createTestApp(unlimited);
    const { slug } = await createArticle(db);
    const renderedAt = new Date(clock.now.getTime() - 60_000).toISOString();
    const post = (body: string, i: number) =>
      app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        payload: { ...reader, authorEmail: `reader${i}@example.org`, body, renderedAt },
      });
    if (TEST_ENGINE === 'postgres') {
      await exec(
        db,
        `create function refuse_poison() returns trigger language plpgsql as $$ begin if new.body = 'poison' then raise exception 'poison'; end if; return new; end $$`,
      );
      await exec(
        db,
        'create trigger refuse_poison before insert on comments for each row execute function refuse_poison()',
      );
    } else {
      await exec(
        db,
        `create trigger refuse_poison before insert on comments when new.body = 'poison' begin select raise(abort, 'poison'); end`,
      );
    }
    try {
      const bodies = ['First of the burst', 'Second', 'poison', 'Fourth', 'Fifth'];
      const responses = await Promise.all(bodies.map(post));
      expect(responses.map((r) => r.statusCode)).toEqual([202, 202, 500, 202, 202]);
      const rows = await db.read.select().from(comments).orderBy(asc(comments.id));
      expect(rows.map((r) => r.body).sort()).toEqual(['Fifth', 'First of the burst', 'Fourth', 'Second']);
      expect(rows.every((r) => r.status === 'pending')).toBe(true);
      const created = (await db.read.select().from(outboxEvents)).filter((e) => e.type === 'comment.created');
      expect(created.map((e) => e.resourceId).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
      expect(created.every((e) => e.slug === slug)).toBe(true);
    } finally {
      // PGlite instances are reused by later tests: leave none of it behind.
      await exec(
        db,
        TEST_ENGINE === 'postgres' ? 'drop trigger refuse_poison on comments' : 'drop trigger refuse_poison',
      );
      if (TEST_ENGINE === 'postgres') await exec(db, 'drop function refuse_poison()');
    }
  });

  it("counts a spam verdict earlier in a burst against the same author's next comment, and approves a trusted author's alone", async () => {
    const { app, db, clock } = await createTestApp(unlimited);
    const { id: articleId, slug } = await createArticle(db);
    await createComment(db, { articleId, status: 'approved', authorEmail: 'trusted@example.org' });
    const renderedAt = new Date(clock.now.getTime() - 60_000).toISOString();
    const post = (payload: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        payload: { ...reader, renderedAt, ...payload },
      });
    expect((await post({ body: 'Before the burst', authorEmail: 'early@example.org' })).statusCode).toBe(202);
    // The first goes at once; the rest arrive while its transaction runs, and go together.
    const responses = await Promise.all([
      post({ body: 'Opening the burst', authorEmail: 'opener@example.org' }),
      post({ body: 'Filled the hidden field', website: 'https://bot.example' }),
      post({ body: 'Same author, same address, right after' }),
      post({ body: 'Known here', authorEmail: 'trusted@example.org' }),
      post({ body: 'After the trusted one', authorEmail: 'other@example.org' }),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const byId = new Map((await db.read.select().from(comments)).map((row) => [row.id, row]));
    const rowOf = (i: number) => byId.get(responses[i]!.json().id as number)!;
    expect(rowOf(1)).toMatchObject({ status: 'spam', spamSignals: { honeypot: 1 } });
    expect(rowOf(2)).toMatchObject({ status: 'pending', spamSignals: { knownSpamAddress: 0.6 } });
    expect(rowOf(3)).toMatchObject({ status: 'approved' });
    expect(rowOf(4)).toMatchObject({ status: 'pending', spamSignals: {} });
    const approved = await app.inject({ method: 'GET', url: `/v1/articles/${slug}/comments` });
    expect(approved.json().data.map((c: { body: string }) => c.body)).toContain('Known here');
  });
});
