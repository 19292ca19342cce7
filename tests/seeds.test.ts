import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isEmptyDatabase, readSampleContent, seedSampleContent } from '../seeds/load.js';
import { seedSynthetic } from '../seeds/synthetic.js';
import { initializeDatabase } from '../src/startup.js';
import { createClock, createTestApp, tables } from './helpers/app.js';
import { openTestDatabase } from './helpers/databases.js';

const { articles, comments, products, sections, tips } = tables;

describe('sample content', () => {
  it('transcribes the page without inventing shop facts', () => {
    const content = readSampleContent();
    for (const product of content.products) {
      expect(product.price).toBeNull();
      expect(product.url).toBeNull();
      if (product.image) expect(product.image.url).toMatch(/^\/images\//);
    }
    expect(content.site.url).toBeNull();
    expect(content.site.announcement).toBe('Ships within 2 business days / Free shipping');
  });

  it('is idempotent: a second run adds nothing', async () => {
    const { db, clock } = await createTestApp();
    expect(await isEmptyDatabase({ db: db.read })).toBe(true);
    expect(await seedSampleContent({ withTransaction: db.withTransaction, now: clock.now })).toEqual({
      articles: 1,
      products: 2,
    });
    const counts = async () => ({
      articles: (await db.read.select().from(articles)).length,
      sections: (await db.read.select().from(sections)).length,
      tips: (await db.read.select().from(tips)).length,
      products: (await db.read.select().from(products)).length,
      comments: (await db.read.select().from(comments)).length,
    });
    const first = await counts();
    expect(first).toEqual({ articles: 1, sections: 3, tips: 14, products: 2, comments: 5 });
    expect(await seedSampleContent({ withTransaction: db.withTransaction, now: clock.now })).toEqual({
      articles: 0,
      products: 0,
    });
    expect(await counts()).toEqual(first);
    expect(await isEmptyDatabase({ db: db.read })).toBe(false);
  });

  it('is loaded at start-up into an empty database only', async () => {
    const db = await openTestDatabase();
    expect(await initializeDatabase(db, { seedIfEmpty: true })).toBe(true);
    expect(await initializeDatabase(db, { seedIfEmpty: true })).toBe(false);
    // Start-up seeds with the real clock: the sample article was published a day before now.
    const { app } = await createTestApp({ db, clock: createClock(new Date().toISOString()) });
    const res = await app.inject({ method: 'GET', url: '/v1/articles/sciatica-in-runners' });
    expect(res.statusCode).toBe(200);
    const pending = (await app.db.read.select().from(comments)).filter((c) => c.status === 'pending');
    expect(pending.length).toBeGreaterThanOrEqual(2);
  });
});

describe('synthetic content', () => {
  it('brings the planner statistics up to date while it grows, not only at the end', async () => {
    const db = await openTestDatabase();
    try {
      const counted: number[] = [];
      await seedSynthetic({
        withTransaction: db.withTransaction,
        read: db.read,
        articles: 10,
        comments: 3000,
        seed: 3,
        refreshStatistics: async () => {
          counted.push((await db.read.select({ n: count() }).from(comments))[0]!.n);
          await db.refreshStatistics();
        },
      });
      // Once: after the batch that took it past twice the rows of the last refresh (the first at 2,000 rows).
      expect(counted).toEqual([3000]);
    } finally {
      await db.close();
    }
  });
});
