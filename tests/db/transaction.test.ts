import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertArticle, insertSection, insertTip } from '../../src/modules/articles/articles.repository.js';
import { createTestApp, TEST_ENGINE, tables } from '../helpers/app.js';
import { hasPostgresServer } from '../helpers/databases.js';
import { createArticle } from '../helpers/factories.js';

const { articles, contentVersion, sections, tips } = tables;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and the function that resolves it: lets a test hold a transaction open exactly as long as it needs. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

// PGlite is one connection: a read waits for an open transaction, so "reads go on meanwhile" needs a server.
const concurrentReads = TEST_ENGINE === 'sqlite' || hasPostgresServer;
const stamp = '2026-01-01T00:00:00.000Z';

async function countRows(read: import('../../src/db/client.js').Db) {
  return {
    articles: (await read.select().from(articles)).length,
    sections: (await read.select().from(sections)).length,
    tips: (await read.select().from(tips)).length,
  };
}

describe('withTransaction', () => {
  it.runIf(concurrentReads)(
    'leaves nothing of a failed multi-statement write, while concurrent requests see only committed rows',
    async () => {
      const { app, db } = await createTestApp();
      const existing = await createArticle(db, { slug: 'existing' });
      const before = await countRows(db.read);
      const versionBefore = (await db.read.select().from(contentVersion))[0]?.version;

      const written = latch();
      const release = latch();
      const failing = db.withTransaction(async (tx) => {
        const id = await insertArticle({
          db: tx,
          values: {
            slug: 'half-done',
            title: 'Half',
            status: 'published',
            publishedAt: stamp,
            createdAt: stamp,
            updatedAt: stamp,
          },
        });
        const sectionId = await insertSection({
          db: tx,
          articleId: id,
          position: 1,
          section: { heading: 'H', lead: null },
        });
        await insertTip({ db: tx, sectionId, position: 1, tip: { title: 'T', body: 'B', image: null } });
        written.open();
        await release.opened;
        await insertTip({
          db: tx,
          sectionId,
          position: 1,
          tip: { title: 'duplicate position', body: 'B', image: null },
        });
      });
      const outcome = failing.then(
        () => 'committed',
        // drizzle wraps the driver's error: the constraint is named on its cause.
        (error: Error) => `${error.message} ${(error.cause as Error | undefined)?.message ?? ''}`,
      );

      // While the write is open: public reads go on, see the committed article, and never the uncommitted one.
      await written.opened;
      const during = await Promise.all([
        app.inject({ method: 'GET', url: '/v1/articles/half-done' }),
        app.inject({ method: 'GET', url: `/v1/articles/${existing.slug}` }),
        app.inject({ method: 'GET', url: '/v1/articles' }),
      ]);
      expect(during.map((r) => r.statusCode)).toEqual([404, 200, 200]);
      expect(during[2]!.json().data.map((a: { slug: string }) => a.slug)).toEqual(['existing']);

      // A second writer waits its turn instead of joining the failing transaction.
      const second = db.withTransaction((tx) =>
        insertArticle({
          db: tx,
          values: { slug: 'second-writer', title: 'Second', createdAt: stamp, updatedAt: stamp },
        }),
      );

      release.open();
      expect(await outcome).toMatch(/UNIQUE|duplicate key/i);
      await second;
      const after = await countRows(db.read);
      expect(after).toEqual({ ...before, articles: before.articles + 1 });
      expect(await db.read.select().from(articles).where(eq(articles.slug, 'half-done'))).toEqual([]);
      // The failed write did not bump the content version; the second one did, once.
      expect((await db.read.select().from(contentVersion))[0]?.version).toBe((versionBefore ?? 0) + 1);
    },
  );

  it('lets a nested call join the transaction it runs in', async () => {
    const { db } = await createTestApp();
    await expect(
      db.withTransaction(async (tx) => {
        await insertArticle({ db: tx, values: { slug: 'outer', title: 'Outer', createdAt: stamp, updatedAt: stamp } });
        await db.withTransaction((inner) =>
          insertArticle({ db: inner, values: { slug: 'inner', title: 'Inner', createdAt: stamp, updatedAt: stamp } }),
        );
        throw new Error('abort both');
      }),
    ).rejects.toThrow('abort both');
    expect(await db.read.select().from(articles)).toEqual([]);
  });

  it.runIf(TEST_ENGINE === 'sqlite')('refuses writes on the read connection', async () => {
    const { db } = await createTestApp();
    await expect(
      Promise.resolve().then(() =>
        db.read.insert(articles).values({ slug: 'x', title: 'X', createdAt: stamp, updatedAt: stamp }),
      ),
    ).rejects.toThrow(/readonly|query_only|attempt to write/i);
  });
});

describe('consistent reads', () => {
  it('never serves an admin article mixing two writes, while edits run concurrently', async () => {
    const { db, clock } = await createTestApp();
    const { getAdminArticle, patchArticle } = await import('../../src/modules/articles/articles.admin.service.js');
    const { id } = await createArticle(db, { title: 'v0', tags: ['v0'] });
    const torn: string[] = [];
    const writer = (async () => {
      // Fewer rounds on PostgreSQL, where each write is a few network round trips.
      for (let i = 1; i <= (TEST_ENGINE === 'sqlite' ? 200 : 40); i += 1)
        await patchArticle({ db, now: clock.now }, id, { title: `v${i}`, tags: [`v${i}`] });
    })();
    let done = false;
    void writer.then(() => (done = true));
    while (!done) {
      const article = await getAdminArticle({ db, now: clock.now }, id);
      if (article.tags[0]?.slug !== article.title) torn.push(`${article.title} with tag ${article.tags[0]?.slug}`);
    }
    await writer;
    expect(torn).toEqual([]);
  });
});

describe('group commit', () => {
  it('commits concurrent writes together, each whole or not at all, and settles each only once committed', async () => {
    const { db } = await createTestApp();
    const writes = Array.from({ length: 20 }, (_, i) =>
      db
        .withTransaction(async (tx) => {
          const id = await insertArticle({
            db: tx,
            values: { slug: `batch-${i}`, title: `Batch ${i}`, createdAt: stamp, updatedAt: stamp },
          });
          await pause(1);
          await insertSection({ db: tx, articleId: id, position: 1, section: { heading: 'H', lead: null } });
          if (i === 7) throw new Error('job 7 fails after writing');
          return id;
        })
        .then(async (id) => {
          // Settled only after COMMIT: the read connection already sees the row.
          const seen = await db.read.select().from(articles).where(eq(articles.id, id));
          return seen.length;
        }),
    );
    const results = await Promise.allSettled(writes);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message),
    ).toEqual(['job 7 fails after writing']);
    expect(
      results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value),
    ).toEqual(Array(19).fill(1));
    const slugs = (await db.read.select({ slug: articles.slug }).from(articles)).map((r) => r.slug);
    expect(slugs).toHaveLength(19);
    expect(slugs).not.toContain('batch-7');
    expect(await db.read.select().from(sections)).toHaveLength(19);
  });
});

describe('nested and late calls', () => {
  it('rolls back a nested call that fails even when the outer caller catches it', async () => {
    const { db } = await createTestApp();
    await db.withTransaction(async (tx) => {
      await insertArticle({ db: tx, values: { slug: 'outer-ok', title: 'Outer', createdAt: stamp, updatedAt: stamp } });
      await db
        .withTransaction(async (inner) => {
          await insertArticle({
            db: inner,
            values: { slug: 'nested-half', title: 'Half', createdAt: stamp, updatedAt: stamp },
          });
          throw new Error('nested fails');
        })
        .catch(() => undefined);
    });
    expect((await db.read.select({ slug: articles.slug }).from(articles)).map((r) => r.slug)).toEqual(['outer-ok']);
  });

  it('queues a call made after its job settled, instead of slipping into another transaction', async () => {
    const { db } = await createTestApp();
    const version = async () => (await db.read.select().from(contentVersion))[0]?.version ?? 0;
    let late: Promise<unknown> = Promise.resolve();
    await db.withTransaction(async () => {
      late = new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
        db.withTransaction((tx) =>
          insertArticle({ db: tx, values: { slug: 'late', title: 'Late', createdAt: stamp, updatedAt: stamp } }),
        ),
      );
    });
    const before = await version();
    await late;
    expect(await db.read.select().from(articles)).toHaveLength(1);
    expect(await version()).toBe(before + 1);
  });

  it('refuses a write nested in a read-only transaction', async () => {
    const { db } = await createTestApp();
    await expect(
      db.withTransaction(
        () =>
          db.withTransaction((tx) =>
            insertArticle({ db: tx, values: { slug: 'x', title: 'X', createdAt: stamp, updatedAt: stamp } }),
          ),
        { readOnly: true },
      ),
    ).rejects.toThrow(/read-only/);
  });

  // SQLite only: it is about the writer's queue, which PostgreSQL (a pool) does not have.
  it.runIf(TEST_ENGINE === 'sqlite')(
    'settles queued work with an error when the database closes, and refuses later calls',
    async () => {
      const { db } = await createTestApp();
      const queued = db.withTransaction(async (tx) => tx.select().from(articles), { readOnly: true });
      void db.close();
      await expect(queued).rejects.toThrow();
      await expect(db.withTransaction(async (tx) => tx.select().from(articles))).rejects.toThrow();
    },
  );
});
