import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { openSharedTestDatabases } from '../helpers/databases.js';
import { createArticle, createComment } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

/**
 * Two apps on one database, as two processes would run: with TEST_DATABASE_URL each has its own
 * connection pool on a real PostgreSQL server, so their requests truly overlap; on SQLite and
 * PGlite the same tests prove the same outcome with one writer.
 */
async function twoProcesses() {
  const [one, other] = await openSharedTestDatabases();
  const a = await createTestApp({ db: one });
  const b = await createTestApp({ db: other, clock: a.clock });
  const key = bearer(await createKeyFor(a.db, 'admin', 'Racer'));
  return { a, b, key };
}

describe('concurrent writers on one database', () => {
  it('gives two editors with the same If-Match exactly one 200 and one 412, every time', async () => {
    const { a, b, key } = await twoProcesses();
    const { id } = await createArticle(a.db);
    for (let round = 0; round < 8; round += 1) {
      const etag = (await a.app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers: key })).headers.etag;
      const patch = (app: typeof a.app, title: string) =>
        app.inject({
          method: 'PATCH',
          url: `/v1/admin/articles/${id}`,
          headers: { ...key, 'if-match': etag as string },
          payload: { title },
        });
      const answers = await Promise.all([patch(a.app, `A${round}`), patch(b.app, `B${round}`)]);
      expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 412]);
      const stored = (await a.app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers: key })).json();
      expect(stored.title).toBe(answers.find((r) => r.statusCode === 200)!.json().title);
      expect(stored.revision).toBe(round + 2);
    }
  });

  it('gives two moderators racing on one comment exactly one 200 and one 412', async () => {
    const { a, b, key } = await twoProcesses();
    const article = await createArticle(a.db);
    for (let round = 0; round < 8; round += 1) {
      const id = await createComment(a.db, { articleId: article.id, status: 'pending' });
      const etag = (await a.app.inject({ method: 'GET', url: `/v1/admin/comments/${id}`, headers: key })).headers.etag;
      const decide = (app: typeof a.app, status: string) =>
        app.inject({
          method: 'PATCH',
          url: `/v1/admin/comments/${id}`,
          headers: { ...key, 'if-match': etag as string },
          payload: { status },
        });
      const answers = await Promise.all([decide(a.app, 'approved'), decide(b.app, 'spam')]);
      expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 412]);
    }
  });

  it('keeps commentCount exact while two moderators approve and reject concurrently', async () => {
    const { a, b, key } = await twoProcesses();
    const article = await createArticle(a.db);
    const ids: number[] = [];
    for (let i = 0; i < 16; i += 1) ids.push(await createComment(a.db, { articleId: article.id, status: 'pending' }));
    const decide = (app: typeof a.app, id: number, status: string) =>
      app.inject({ method: 'PATCH', url: `/v1/admin/comments/${id}`, headers: key, payload: { status } });
    // Every comment approved by one process, half of them then rejected by the other, all at once.
    await Promise.all(ids.map((id, i) => decide(i % 2 === 0 ? a.app : b.app, id, 'approved')));
    const results = await Promise.all(
      ids.filter((_, i) => i % 4 === 0).map((id, i) => decide(i % 2 ? a.app : b.app, id, 'rejected')),
    );
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    for (const app of [a.app, b.app]) {
      const list = (await app.inject({ method: 'GET', url: '/v1/articles' })).json();
      expect(list.data[0].commentCount).toBe(12);
      const thread = (
        await app.inject({ method: 'GET', url: `/v1/articles/${article.slug}/comments?limit=100` })
      ).json();
      expect(thread.data).toHaveLength(12);
    }
  });
});
