import type { DatabaseHandles } from '../../db/client.js';
import { hasEventSince, lockCursor, recordEvents, saveCursor, surrogateKeysOf } from '../../db/outbox.js';
import { listArticlesDueBetween, listProductsOfArticle } from './articles.repository.js';

/** The outbox_cursors row whose updatedAt is the time scheduled publications are announced up to. */
export const PUBLICATIONS_CURSOR = 'scheduled-publications';

/**
 * Announces scheduled articles whose date has passed: one `article.published` each. The cursor row,
 * locked, keeps several processes from announcing twice; an article already announced at or after
 * its date (published "now" by an editor, or by an earlier sweep) is skipped. The first sweep only
 * starts the clock: what came due before it is not announced.
 */
export async function announceDuePublications({ db, now }: { db: DatabaseHandles; now: Date }): Promise<number> {
  const upTo = now.toISOString();
  return db.withTransaction(
    async (tx) => {
      const cursor = await lockCursor({ tx, name: PUBLICATIONS_CURSOR });
      let announced = 0;
      if (cursor && cursor.updatedAt < upTo) {
        for (const article of await listArticlesDueBetween({ db: tx, after: cursor.updatedAt, upTo })) {
          const since = article.publishedAt;
          if (await hasEventSince({ db: tx, type: 'article.published', resourceId: article.id, since })) continue;
          const products = await listProductsOfArticle({ db: tx, articleId: article.id });
          const keys = surrogateKeysOf.article(
            article.id,
            products.map((p) => p.productId),
          );
          await recordEvents({
            tx,
            events: [
              {
                type: 'article.published',
                kind: 'article',
                resourceId: article.id,
                slug: article.slug,
                surrogateKeys: keys,
              },
            ],
            at: upTo,
          });
          announced++;
        }
      }
      if (!cursor || cursor.updatedAt < upTo)
        await saveCursor({ tx, name: PUBLICATIONS_CURSOR, position: { txId: 0, id: 0 }, updatedAt: upTo });
      return announced;
    },
    { touchesContent: false },
  );
}
