import type { DatabaseHandles } from '../../db/client.js';
import { findCursor, getLatestPosition, listEventsAfter, saveCursor } from '../../db/outbox.js';
import type { BackgroundJob } from '../../workers/background.js';
import { sendOutbound } from '../webhooks/outbound-http.js';

const CURSOR = 'purge';
const BATCH = 100;

/**
 * CDN purges by surrogate key (Varnish xkey: `PURGE` with an `xkey` header), sent after each
 * committed change, from the outbox: every cache named in PURGE_URLS is told exactly the keys the
 * changes touched. The cursor moves only once every cache has answered 2xx, so a failed purge is
 * sent again next round (purging twice is harmless).
 */
export function purgeJob({
  db,
  urls,
  timeoutMs,
}: {
  db: DatabaseHandles;
  urls: string[];
  timeoutMs: number;
}): BackgroundJob {
  return {
    name: 'cdn-purge',
    async run() {
      if (urls.length === 0) return 0;
      const cursor = await findCursor({ db: db.read, name: CURSOR });
      if (!cursor) {
        // First run: caches hold nothing older than now that needs a purge from us.
        const latest = await getLatestPosition({ db: db.read });
        await db.withTransaction(
          (tx) => saveCursor({ tx, name: CURSOR, position: latest, updatedAt: new Date().toISOString() }),
          {
            touchesContent: false,
          },
        );
        return 0;
      }
      const events = await listEventsAfter({ db: db.read, after: cursor, limit: BATCH });
      const last = events.at(-1);
      if (!last) return 0;
      const keys = [...new Set(events.flatMap((e) => e.surrogateKeys))];
      if (keys.length > 0) {
        for (const url of urls) {
          // The operator names the caches, which are often on a private network: no address check.
          const response = await sendOutbound({
            url,
            method: 'PURGE',
            headers: { xkey: keys.join(' ') },
            timeoutMs,
            allowPrivate: true,
          });
          if (response.status < 200 || response.status > 299)
            throw new Error(`purge of ${keys.length} key(s) at ${url} answered ${response.status}`);
        }
      }
      await db.withTransaction((tx) => saveCursor({ tx, name: CURSOR, position: last, updatedAt: last.at }), {
        touchesContent: false,
      });
      return events.length;
    },
  };
}
