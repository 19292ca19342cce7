import { describe, expect, it } from 'vitest';
import { seedSampleContent } from '../../seeds/load.js';
import { openDatabase } from '../../src/db/client.js';
import { tablesOf } from '../../src/db/schema.js';
import { insertComment, refreshCommentCounts } from '../../src/modules/comments/comments.repository.js';
import { createClock, createTestApp } from '../helpers/app.js';
import { openPostgresTestDatabase } from '../helpers/databases.js';

// Runs once (in the sqlite project): it opens one database of each engine itself.
describe('the two engines', () => {
  it('serve public documents byte for byte alike', async () => {
    const sqlite = await openDatabase({ url: ':memory:' });
    const postgres = await openPostgresTestDatabase();
    const bodies: string[][] = [];
    for (const db of [sqlite, postgres]) {
      await db.migrate();
      const clock = createClock('2026-11-28T12:00:00.000Z');
      await seedSampleContent({ withTransaction: db.withTransaction, now: clock.now });
      // Text that exercises escaping: quotes, backslashes, control characters, non-ASCII, emoji.
      const [article] = await db.read.select().from(tablesOf(db.read).articles);
      const at = '2026-11-27T13:00:00.000Z';
      await db.withTransaction(async (tx) => {
        const values = {
          articleId: article!.id,
          authorName: 'Ünï <b>',
          authorEmail: 'a@example.org',
          body: 'Quote " backslash \\ tab\t line\n ünï 🏃 \u0001 </script>',
          status: 'approved' as const,
          contentHash: 'x',
          createdAt: at,
          updatedAt: at,
        };
        await insertComment({ db: tx, values });
        await refreshCommentCounts({ db: tx, articleIds: [article!.id] });
      });
      const { app } = await createTestApp({ db, clock });
      const urls = [
        '/v1/site',
        '/v1/articles',
        '/v1/articles?limit=1',
        '/v1/articles/sciatica-in-runners',
        '/v1/articles/sciatica-in-runners/comments',
        '/v1/products',
        '/v1/products/memory-foam-seat-cushions',
      ];
      const got: string[] = [];
      for (const url of urls) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(200);
        got.push(res.body);
      }
      bodies.push(got);
    }
    expect(bodies[1]).toEqual(bodies[0]);
  }, 120_000);
});
