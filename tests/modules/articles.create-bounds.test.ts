import { describe, expect, it } from 'vitest';
import { createTestApp, tables } from '../helpers/app.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

/** A create body of `sections` sections of `tips` tips each. */
const article = (sections: number, tips: number) => ({
  title: 'A large article',
  sections: Array.from({ length: sections }, (_, s) => ({
    heading: `Section ${s + 1}`,
    tips: Array.from({ length: tips }, (_, t) => ({ title: `Tip ${t + 1}`, body: 'Some text.' })),
  })),
});

describe('creating a large article in one request (bounded so the event loop is not held long)', () => {
  it.each([
    ['51 sections', 51, 0, /50/],
    ['34 sections of 2 tips (102 parts)', 34, 2, /At most 100 sections and tips together in one request \(sent 102\)/],
  ])('refuses %s with 400 naming sections, and stores nothing', async (_name, sections, tips, message) => {
    const ctx = await createTestApp();
    const headers = bearer(await createKeyFor(ctx.db, 'editor'));
    const before = (await ctx.db.read.select().from(tables.articles)).length;
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers,
      payload: article(sections, tips),
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().errors)).toMatch(message);
    expect(JSON.stringify(res.json().errors)).toMatch(/sections/);
    expect((await ctx.db.read.select().from(tables.articles)).length).toBe(before);
  });

  it('accepts exactly 100 parts: 50 sections of one tip each', async () => {
    const ctx = await createTestApp();
    const headers = bearer(await createKeyFor(ctx.db, 'editor'));
    const body = article(50, 1);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload: body });
    expect(res.statusCode).toBe(201);
    expect(res.json().sections).toHaveLength(50);
  });
});
