import { describe, expect, it } from 'vitest';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createComment, createProduct } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { articles, sections, tips } = tables;

async function editorApp() {
  const ctx = await createTestApp();
  const headers = bearer(await createKeyFor(ctx.db, 'editor'));
  return { ...ctx, headers };
}

const NEW_ARTICLE = {
  title: 'Stretching for Runners: A Guide',
  summary: 'Short card text',
  intro: 'Why stretch.',
  tags: ['Running', 'injury-prevention'],
  image: { url: '/images/stretch.jpg', alt: 'A runner stretching' },
  seo: { title: 'Stretching guide' },
  sections: [
    {
      heading: 'Before',
      lead: 'Warm up first:',
      tips: [
        { title: 'Leg swings', body: 'Ten each side.' },
        { title: 'Lunges', body: 'Slow and controlled.' },
      ],
    },
    {
      heading: 'After',
      tips: [
        {
          title: 'Hamstrings',
          body: 'Hold for 30 seconds.',
          image: { url: '/images/ham.jpg', alt: 'Hamstring stretch' },
        },
      ],
    },
  ],
};

async function countRows(ctx: Awaited<ReturnType<typeof createTestApp>>) {
  return {
    articles: (await ctx.db.read.select().from(articles)).length,
    sections: (await ctx.db.read.select().from(sections)).length,
    tips: (await ctx.db.read.select().from(tips)).length,
  };
}

describe('POST /v1/admin/articles', () => {
  it('creates a draft with its sections and tips in one request', async () => {
    const { app, headers } = await editorApp();
    const res = await app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload: NEW_ARTICLE });
    expect(res.statusCode).toBe(201);
    const article = res.json();
    expect(res.headers.location).toBe(`/v1/admin/articles/${article.id}`);
    expect(res.headers.etag).toBe(`"article-${article.id}-r1"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(article).toMatchObject({
      slug: 'stretching-for-runners-a-guide',
      status: 'draft',
      publishedAt: null,
      revision: 1,
      tags: [
        { slug: 'running', name: 'Running' },
        { slug: 'injury-prevention', name: 'injury-prevention' },
      ],
      image: { url: '/images/stretch.jpg', alt: 'A runner stretching', caption: null },
      seo: { title: 'Stretching guide', description: null, canonicalUrl: null, ogImage: null },
    });
    expect(article.sections.map((s: { position: number; heading: string }) => [s.position, s.heading])).toEqual([
      [1, 'Before'],
      [2, 'After'],
    ]);
    expect(article.sections[0].tips.map((t: { position: number; title: string }) => [t.position, t.title])).toEqual([
      [1, 'Leg swings'],
      [2, 'Lunges'],
    ]);
    expect(article.sections[1].tips[0].image).toEqual({
      url: '/images/ham.jpg',
      alt: 'Hamstring stretch',
      caption: null,
    });
    // A draft is invisible to the public.
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${article.slug}` })).statusCode).toBe(404);
  });

  it('derives a free slug when the title is taken, and refuses an explicit duplicate with 409', async () => {
    const { app, db, headers } = await editorApp();
    await createArticle(db, { slug: 'same-title' });
    const derived = await app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers,
      payload: { title: 'Same Title!' },
    });
    expect(derived.json().slug).toBe('same-title-2');
    const explicit = await app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers,
      payload: { title: 'Other', slug: 'same-title' },
    });
    expect(explicit.statusCode).toBe(409);
    expect(explicit.json().code).toBe('conflict');
  });

  it('rejects the whole article when one nested tip is invalid, storing nothing', async () => {
    const ctx = await editorApp();
    const before = await countRows(ctx);
    const bad = structuredClone(NEW_ARTICLE);
    bad.sections[1]!.tips[0]!.body = '';
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/admin/articles', headers: ctx.headers, payload: bad });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ location: 'body', pointer: '/sections/1/tips/0/body' }),
    ]);
    expect(await countRows(ctx)).toEqual(before);
  });

  it('refuses fields a client may not set (mass assignment), naming each, and stores nothing', async () => {
    const ctx = await editorApp();
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers: ctx.headers,
      payload: {
        ...NEW_ARTICLE,
        id: 99,
        status: 'published',
        publishedAt: '2020-01-01T00:00:00.000Z',
        revision: 7,
        createdAt: '2020-01-01T00:00:00.000Z',
        commentCount: 5,
      },
    });
    expect(res.statusCode).toBe(400);
    const pointers = res
      .json()
      .errors.map((e: { pointer: string }) => e.pointer)
      .sort();
    expect(pointers).toEqual(['/commentCount', '/createdAt', '/id', '/publishedAt', '/revision', '/status']);
    expect(await countRows(ctx)).toEqual({ articles: 0, sections: 0, tips: 0 });

    const { id } = await createArticle(ctx.db, { status: 'draft' });
    const patch = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${id}`,
      headers: ctx.headers,
      payload: { status: 'published', updatedAt: 'x' },
    });
    expect(patch.statusCode).toBe(400);
    const [stored] = await ctx.db.read.select().from(articles);
    expect(stored).toMatchObject({ status: 'draft', revision: 1 });
  });

  it.each([
    [{ title: '' }, '/title'],
    [{ title: 'x'.repeat(201) }, '/title'],
    [{ title: 'ok', slug: 'Not A Slug' }, '/slug'],
    [{ title: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, '/tags'],
    [{ title: 'ok', seo: { canonicalUrl: 'not a url' } }, '/seo/canonicalUrl'],
  ])('bounds its input: %j → 400 at %s', async (payload, pointer) => {
    const { app, headers } = await editorApp();
    const res = await app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });
});

describe('publishing', () => {
  it('publishes now; the public API shows it at once, and unpublishing hides it again', async () => {
    const { app, headers } = await editorApp();
    const created = (
      await app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload: NEW_ARTICLE })
    ).json();
    const listBefore = await app.inject({ method: 'GET', url: '/v1/articles' });
    const published = await app.inject({ method: 'POST', url: `/v1/admin/articles/${created.id}/publish`, headers });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({
      status: 'published',
      publishedAt: '2026-06-01T12:00:00.000Z',
      revision: 2,
    });
    const listAfter = await app.inject({
      method: 'GET',
      url: '/v1/articles',
      headers: { 'if-none-match': listBefore.headers.etag as string },
    });
    expect(listAfter.statusCode).toBe(200);
    expect(listAfter.json().data.map((a: { slug: string }) => a.slug)).toEqual([created.slug]);
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${created.slug}` })).json().sections).toHaveLength(2);

    const unpublished = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${created.id}/unpublish`,
      headers,
      payload: {},
    });
    expect(unpublished.json()).toMatchObject({ status: 'draft', publishedAt: null });
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${created.slug}` })).statusCode).toBe(404);
  });

  it('accepts an empty JSON body or {} on action endpoints, and refuses unknown fields', async () => {
    const { app, db, headers } = await editorApp();
    const { id } = await createArticle(db, { status: 'draft' });
    const empty = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${id}/publish`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(200);
    const braces = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${id}/unpublish`,
      headers,
      payload: {},
    });
    expect(braces.statusCode).toBe(200);
    const extra = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${id}/publish`,
      headers,
      payload: { status: 'published' },
    });
    expect(extra.statusCode).toBe(400);
  });

  it('schedules with a future publishedAt: hidden now, shown once the clock passes it, with no job runner', async () => {
    const { app, db, clock, headers } = await editorApp();
    const { id, slug } = await createArticle(db, { status: 'draft' });
    const at = new Date(clock.now.getTime() + 3_600_000).toISOString();
    const res = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${id}/publish`,
      headers,
      payload: { publishedAt: at },
    });
    expect(res.json()).toMatchObject({ status: 'scheduled', publishedAt: at });
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).statusCode).toBe(404);
    const scheduled = await app.inject({ method: 'GET', url: '/v1/admin/articles?status=scheduled', headers });
    expect(scheduled.json().data.map((a: { id: number }) => a.id)).toEqual([id]);
    clock.advance(3_600_000);
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers })).json().status).toBe(
      'published',
    );
  });

  it('refuses to publish an article with no sections (422), changing nothing', async () => {
    const { app, headers } = await editorApp();
    const created = (
      await app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload: { title: 'Empty' } })
    ).json();
    const res = await app.inject({ method: 'POST', url: `/v1/admin/articles/${created.id}/publish`, headers });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('rule_violation');
    expect(
      (await app.inject({ method: 'GET', url: `/v1/admin/articles/${created.id}`, headers })).json(),
    ).toMatchObject({ status: 'draft', revision: 1 });
  });
});

describe('GET /v1/admin/articles', () => {
  it('lists every status, filters by status and tag, and pages by cursor', async () => {
    const { app, db, clock, headers } = await editorApp();
    const draft = await createArticle(db, { status: 'draft', tags: ['a'] });
    const live = await createArticle(db, { tags: ['a'] });
    const later = await createArticle(db, { publishedAt: new Date(clock.now.getTime() + 1000).toISOString() });
    const all = (await app.inject({ method: 'GET', url: '/v1/admin/articles', headers })).json();
    expect(all.data.map((a: { id: number; status: string }) => [a.id, a.status])).toEqual([
      [later.id, 'scheduled'],
      [live.id, 'published'],
      [draft.id, 'draft'],
    ]);
    const drafts = (await app.inject({ method: 'GET', url: '/v1/admin/articles?status=draft', headers })).json();
    expect(drafts.data.map((a: { id: number }) => a.id)).toEqual([draft.id]);
    const tagged = (
      await app.inject({ method: 'GET', url: '/v1/admin/articles?tag=a&status=published', headers })
    ).json();
    expect(tagged.data.map((a: { id: number }) => a.id)).toEqual([live.id]);
    const page1 = (await app.inject({ method: 'GET', url: '/v1/admin/articles?limit=2', headers })).json();
    const page2 = (
      await app.inject({ method: 'GET', url: `/v1/admin/articles?limit=2&cursor=${page1.meta.nextCursor}`, headers })
    ).json();
    expect([...page1.data, ...page2.data].map((a: { id: number }) => a.id)).toEqual([later.id, live.id, draft.id]);
    expect(page2.meta.nextCursor).toBeNull();
  });
});

describe('PATCH and DELETE /v1/admin/articles/{id}', () => {
  it('merges fields: absent stays, null clears, seo merges field by field', async () => {
    const { app, headers } = await editorApp();
    const created = (
      await app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload: NEW_ARTICLE })
    ).json();
    const res = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${created.id}`,
      headers,
      payload: { summary: null, seo: { description: 'Meta' }, tags: ['Only One'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      title: NEW_ARTICLE.title,
      summary: null,
      intro: 'Why stretch.',
      seo: { title: 'Stretching guide', description: 'Meta' },
      tags: [{ slug: 'only-one', name: 'Only One' }],
      revision: 2,
    });
  });

  it('moves the slug: the old one answers 301, and is not free for another article until released', async () => {
    const { app, db, headers } = await editorApp();
    const { id } = await createArticle(db, { slug: 'old-slug' });
    const moved = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${id}`,
      headers,
      payload: { slug: 'new-slug' },
    });
    expect(moved.json()).toMatchObject({ slug: 'new-slug', redirectsFrom: ['old-slug'] });
    const old = await app.inject({ method: 'GET', url: '/v1/articles/old-slug' });
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe('/v1/articles/new-slug');

    const taken = await app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers,
      payload: { title: 'Squatter', slug: 'old-slug' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().detail).toContain('DELETE /v1/admin/redirects/old-slug');
    // A derived slug steps around it instead.
    const derived = await app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers,
      payload: { title: 'Old Slug' },
    });
    expect(derived.json().slug).toBe('old-slug-2');

    expect((await app.inject({ method: 'DELETE', url: '/v1/admin/redirects/old-slug', headers })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/articles/old-slug' })).statusCode).toBe(404);
    const claimed = await app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers,
      payload: { title: 'Squatter', slug: 'old-slug' },
    });
    expect(claimed.statusCode).toBe(201);
  });

  it('lets an article take back one of its own old slugs', async () => {
    const { app, db, headers } = await editorApp();
    const { id } = await createArticle(db, { slug: 'first' });
    await app.inject({ method: 'PATCH', url: `/v1/admin/articles/${id}`, headers, payload: { slug: 'second' } });
    const back = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${id}`,
      headers,
      payload: { slug: 'first' },
    });
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ slug: 'first', redirectsFrom: ['second'] });
  });

  it('deletes an article without comments, and refuses one with comments (409)', async () => {
    const { app, db, headers } = await editorApp();
    const plain = await createArticle(db);
    const discussed = await createArticle(db);
    await createComment(db, { articleId: discussed.id });
    expect((await app.inject({ method: 'DELETE', url: `/v1/admin/articles/${plain.id}`, headers })).statusCode).toBe(
      204,
    );
    expect((await app.inject({ method: 'GET', url: `/v1/admin/articles/${plain.id}`, headers })).statusCode).toBe(404);
    expect(await db.read.select().from(sections)).toHaveLength(1);
    const refused = await app.inject({ method: 'DELETE', url: `/v1/admin/articles/${discussed.id}`, headers });
    expect(refused.statusCode).toBe(409);
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${discussed.slug}` })).statusCode).toBe(200);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const { app, headers } = await editorApp();
    expect((await app.inject({ method: 'GET', url: '/v1/admin/articles/999', headers })).statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'PATCH', url: '/v1/admin/articles/999', headers, payload: { title: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/admin/articles/abc', headers })).statusCode).toBe(400);
  });
});

describe('If-Match', () => {
  it('answers 412 to a stale ETag on article, section and tip writes, changing nothing', async () => {
    const { app, headers } = await editorApp();
    const created = await app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload: NEW_ARTICLE });
    const stale = created.headers.etag as string;
    const article = created.json();
    const sectionId = article.sections[0].id;
    const tipId = article.sections[0].tips[0].id;
    // Another editor changes the article: the first editor's ETag is now stale.
    const other = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${article.id}`,
      headers: { ...headers, 'if-match': stale },
      payload: { title: 'Theirs' },
    });
    expect(other.statusCode).toBe(200);
    const fresh = other.headers.etag as string;
    expect(fresh).not.toBe(stale);

    const writes = [
      { method: 'PATCH' as const, url: `/v1/admin/articles/${article.id}`, payload: { title: 'Mine' } },
      { method: 'POST' as const, url: `/v1/admin/articles/${article.id}/publish`, payload: {} },
      { method: 'POST' as const, url: `/v1/admin/articles/${article.id}/sections`, payload: { heading: 'Mine' } },
      { method: 'PATCH' as const, url: `/v1/admin/sections/${sectionId}`, payload: { heading: 'Mine' } },
      { method: 'DELETE' as const, url: `/v1/admin/sections/${sectionId}` },
      { method: 'POST' as const, url: `/v1/admin/sections/${sectionId}/tips`, payload: { title: 'Mine', body: 'b' } },
      { method: 'PATCH' as const, url: `/v1/admin/tips/${tipId}`, payload: { body: 'Mine' } },
      { method: 'DELETE' as const, url: `/v1/admin/tips/${tipId}` },
      { method: 'PUT' as const, url: `/v1/admin/articles/${article.id}/products`, payload: { products: [] } },
      { method: 'DELETE' as const, url: `/v1/admin/articles/${article.id}` },
    ];
    for (const write of writes) {
      const res = await app.inject({ ...write, headers: { ...headers, 'if-match': stale } });
      expect(res.statusCode, `${write.method} ${write.url}`).toBe(412);
      expect(res.json().code).toBe('precondition_failed');
    }
    const now = await app.inject({ method: 'GET', url: `/v1/admin/articles/${article.id}`, headers });
    expect(now.headers.etag).toBe(fresh);
    expect(now.json()).toMatchObject({ title: 'Theirs', status: 'draft' });
    expect(now.json().sections).toEqual(other.json().sections);

    const ok = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/tips/${tipId}`,
      headers: { ...headers, 'if-match': fresh },
      payload: { body: 'Mine' },
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe('sections and tips', () => {
  async function articleWith(n: number) {
    const ctx = await editorApp();
    const payload = {
      title: 'Ordered',
      sections: Array.from({ length: n }, (_, i) => ({
        heading: `S${i + 1}`,
        tips: Array.from({ length: n }, (_, t) => ({ title: `T${t + 1}`, body: 'b' })),
      })),
    };
    const article = (
      await ctx.app.inject({ method: 'POST', url: '/v1/admin/articles', headers: ctx.headers, payload })
    ).json();
    return { ...ctx, article };
  }
  const headings = (a: { sections: { heading: string; position: number }[] }) =>
    a.sections.map((s) => `${s.position}:${s.heading}`);

  it('moves a section down and up, keeping positions dense and unique', async () => {
    const { app, headers, article } = await articleWith(4);
    const s1 = article.sections[0].id;
    const down = (
      await app.inject({ method: 'PATCH', url: `/v1/admin/sections/${s1}`, headers, payload: { position: 3 } })
    ).json();
    expect(headings(down)).toEqual(['1:S2', '2:S3', '3:S1', '4:S4']);
    const s4 = article.sections[3].id;
    const up = (
      await app.inject({ method: 'PATCH', url: `/v1/admin/sections/${s4}`, headers, payload: { position: 1 } })
    ).json();
    expect(headings(up)).toEqual(['1:S4', '2:S2', '3:S3', '4:S1']);
    const beyond = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/sections/${s4}`,
      headers,
      payload: { position: 5 },
    });
    expect(beyond.statusCode).toBe(422);
  });

  it('inserts a section at a position and renumbers on delete; answers with the whole article', async () => {
    const { app, headers, article } = await articleWith(3);
    const added = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${article.id}/sections`,
      headers,
      payload: { heading: 'New', position: 2, tips: [{ title: 'x', body: 'y' }] },
    });
    expect(added.statusCode).toBe(201);
    expect(added.headers.location).toBe(`/v1/admin/articles/${article.id}`);
    expect(headings(added.json())).toEqual(['1:S1', '2:New', '3:S2', '4:S3']);
    const removed = await app.inject({
      method: 'DELETE',
      url: `/v1/admin/sections/${article.sections[0].id}`,
      headers,
    });
    expect(removed.statusCode).toBe(200);
    expect(headings(removed.json())).toEqual(['1:New', '2:S2', '3:S3']);
  });

  it('moves, inserts and deletes tips within a section, dense both ways', async () => {
    const { app, headers, article } = await articleWith(4);
    const section = article.sections[1];
    const titles = (a: { sections: { id: number; tips: { title: string; position: number }[] }[] }) =>
      a.sections.find((s) => s.id === section.id)!.tips.map((t) => `${t.position}:${t.title}`);
    const down = (
      await app.inject({
        method: 'PATCH',
        url: `/v1/admin/tips/${section.tips[0].id}`,
        headers,
        payload: { position: 4 },
      })
    ).json();
    expect(titles(down)).toEqual(['1:T2', '2:T3', '3:T4', '4:T1']);
    const up = (
      await app.inject({
        method: 'PATCH',
        url: `/v1/admin/tips/${section.tips[0].id}`,
        headers,
        payload: { position: 2, title: 'First' },
      })
    ).json();
    expect(titles(up)).toEqual(['1:T2', '2:First', '3:T3', '4:T4']);
    const added = await app.inject({
      method: 'POST',
      url: `/v1/admin/sections/${section.id}/tips`,
      headers,
      payload: { title: 'Top', body: 'b', position: 1 },
    });
    expect(added.statusCode).toBe(201);
    expect(titles(added.json())).toEqual(['1:Top', '2:T2', '3:First', '4:T3', '5:T4']);
    const removed = (
      await app.inject({ method: 'DELETE', url: `/v1/admin/tips/${section.tips[2].id}`, headers })
    ).json();
    expect(titles(removed)).toEqual(['1:Top', '2:T2', '3:First', '4:T4']);
    // Other sections are untouched.
    expect(removed.sections[0].tips.map((t: { title: string }) => t.title)).toEqual(['T1', 'T2', 'T3', 'T4']);
  });

  it('shows a tip edit in the public API at once, with a new ETag', async () => {
    const { app, db, headers } = await editorApp();
    const { id, slug } = await createArticle(db, {
      sections: [{ heading: 'H', tips: [{ title: 'T', body: 'Before' }] }],
    });
    const before = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    const admin = (await app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers })).json();
    await app.inject({
      method: 'PATCH',
      url: `/v1/admin/tips/${admin.sections[0].tips[0].id}`,
      headers,
      payload: { body: 'After' },
    });
    const after = await app.inject({
      method: 'GET',
      url: `/v1/articles/${slug}`,
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.json().sections[0].tips[0].body).toBe('After');
  });

  it('answers 404 for unknown sections and tips', async () => {
    const { app, headers } = await editorApp();
    expect(
      (await app.inject({ method: 'PATCH', url: '/v1/admin/sections/999', headers, payload: { heading: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/admin/sections/999/tips',
          headers,
          payload: { title: 'x', body: 'y' },
        })
      ).statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/v1/admin/tips/999', headers })).statusCode).toBe(404);
  });
});

describe('PUT /v1/admin/articles/{id}/products', () => {
  it('replaces the links as a whole, in order, and validates them', async () => {
    const { app, db, headers } = await editorApp();
    const a = await createProduct(db, { name: 'A' });
    const b = await createProduct(db, { name: 'B' });
    const { id, slug } = await createArticle(db, { products: [{ productId: a.id }] });
    const res = await app.inject({
      method: 'PUT',
      url: `/v1/admin/articles/${id}/products`,
      headers,
      payload: {
        products: [
          { productId: b.id, placement: 'inline', afterSection: 1, headline: 'Sit better', pitch: 'Pitch' },
          { productId: a.id, placement: 'sidebar' },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const publicProducts = (await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).json().products;
    expect(
      publicProducts.map((p: { slug: string; placement: string; afterSection: number | null }) => [
        p.slug,
        p.placement,
        p.afterSection,
      ]),
    ).toEqual([
      [b.slug, 'inline', 1],
      [a.slug, 'sidebar', null],
    ]);
    expect(publicProducts[0]).toMatchObject({ headline: 'Sit better', pitch: 'Pitch' });

    const bad = await app.inject({
      method: 'PUT',
      url: `/v1/admin/articles/${id}/products`,
      headers,
      payload: { products: [{ productId: 999 }, { productId: a.id, afterSection: 9 }, { productId: a.id }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/products/0/productId',
      '/products/1/afterSection',
      '/products/2/productId',
    ]);
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).json().products).toHaveLength(2);
  });
});

describe('rules checked inside the write transaction', () => {
  it('rolls back the whole nested create when a rule fails after the article row was written', async () => {
    const ctx = await editorApp();
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers: ctx.headers,
      payload: { ...NEW_ARTICLE, tags: ['fine', '!!'] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ pointer: '/tags/1' })]);
    expect(await countRows(ctx)).toEqual({ articles: 0, sections: 0, tips: 0 });
  });

  it('refuses a publication date past the year 9999, which would sort before every real date', async () => {
    const { app, db, headers } = await editorApp();
    const { id } = await createArticle(db, { status: 'draft' });
    const res = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${id}/publish`,
      headers,
      payload: { publishedAt: '9999-12-31T23:00:00-14:00' },
    });
    expect(res.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/articles' })).json().data).toEqual([]);
  });

  it('keeps the publication date when a published article is published again', async () => {
    const { app, db, headers } = await editorApp();
    const { id } = await createArticle(db);
    const res = await app.inject({ method: 'POST', url: `/v1/admin/articles/${id}/publish`, headers });
    expect(res.json().publishedAt).toBe('2026-06-01T11:00:00.000Z');
  });

  it.each([
    ['no body', undefined],
    ['{}', {}],
  ])('publishes a scheduled article now when sent %s, replacing its future date', async (_name, payload) => {
    const { app, db, clock, headers } = await editorApp();
    const future = new Date(clock.now.getTime() + 3_600_000).toISOString();
    const { id, slug } = await createArticle(db, { publishedAt: future });
    const res = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${id}/publish`,
      headers,
      ...(payload ? { payload } : {}),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'published', publishedAt: clock.now.toISOString() });
    expect((await app.inject({ method: 'GET', url: `/v1/articles/${slug}` })).statusCode).toBe(200);
  });

  it('moves the ETag of every article linking a product when the product changes', async () => {
    const { app, db, headers } = await editorApp();
    const product = await createProduct(db);
    const { id } = await createArticle(db, { products: [{ productId: product.id }] });
    const before = await app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers });
    await app.inject({
      method: 'PATCH',
      url: `/v1/admin/products/${product.id}`,
      headers,
      payload: { name: 'Renamed' },
    });
    const after = await app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers });
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.json().products[0].name).toBe('Renamed');
    const stale = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${id}`,
      headers: { ...headers, 'if-match': before.headers.etag as string },
      payload: { title: 'x' },
    });
    expect(stale.statusCode).toBe(412);
  });
});

describe('writes that change nothing', () => {
  it('keep the revision and ETag for no-op PATCHes of articles, sections, tips and linked products', async () => {
    const { app, db, headers } = await editorApp();
    const product = await createProduct(db, { name: 'Shoe' });
    const { id } = await createArticle(db, {
      title: 'Same',
      sections: [{ heading: 'H', tips: [{ title: 'T', body: 'B' }] }],
      products: [{ productId: product.id }],
    });
    const first = await app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers });
    const etag = first.headers.etag as string;
    const { sections } = first.json();
    const writes = [
      { method: 'PATCH' as const, url: `/v1/admin/articles/${id}`, payload: {} },
      { method: 'PATCH' as const, url: `/v1/admin/articles/${id}`, payload: { title: 'Same' } },
      { method: 'PATCH' as const, url: `/v1/admin/sections/${sections[0].id}`, payload: {} },
      { method: 'PATCH' as const, url: `/v1/admin/sections/${sections[0].id}`, payload: { heading: 'H', position: 1 } },
      { method: 'PATCH' as const, url: `/v1/admin/tips/${sections[0].tips[0].id}`, payload: {} },
      { method: 'PATCH' as const, url: `/v1/admin/tips/${sections[0].tips[0].id}`, payload: { body: 'B' } },
      { method: 'POST' as const, url: `/v1/admin/articles/${id}/publish` },
      { method: 'PATCH' as const, url: `/v1/admin/products/${product.id}`, payload: {} },
      { method: 'PATCH' as const, url: `/v1/admin/products/${product.id}`, payload: { name: 'Shoe' } },
    ];
    for (const write of writes) {
      const res = await app.inject({ ...write, headers: { ...headers, 'if-match': etag } });
      expect(res.statusCode, `${write.method} ${write.url} ${JSON.stringify(write.payload)}`).toBe(200);
      if (res.headers.etag) expect(res.headers.etag).toBe(etag);
    }
    const last = await app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers });
    expect(last.headers.etag).toBe(etag);
    expect(last.json()).toEqual(first.json());
    const changed = await app.inject({
      method: 'PATCH',
      url: `/v1/admin/articles/${id}`,
      headers: { ...headers, 'if-match': etag },
      payload: { title: 'Different' },
    });
    expect(changed.json().revision).toBe(first.json().revision + 1);
  });
});

describe('size of one create', () => {
  const articleOf = (sections: number, tipsPerSection: number) => ({
    title: 'Big',
    sections: Array.from({ length: sections }, (_, s) => ({
      heading: `S${s}`,
      tips: Array.from({ length: tipsPerSection }, (_, t) => ({ title: `T${t}`, body: 'b' })),
    })),
  });

  it('refuses more than 100 sections and tips in one create with 400 at /sections, storing nothing', async () => {
    const { app, db, headers } = await editorApp();
    const res = await app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload: articleOf(10, 10) });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/sections' })]);
    expect(await db.read.select().from(articles)).toEqual([]);
  });

  it('accepts exactly 100 sections and tips in one create', async () => {
    const { app, headers } = await editorApp();
    const res = await app.inject({ method: 'POST', url: '/v1/admin/articles', headers, payload: articleOf(10, 9) });
    expect(res.statusCode).toBe(201);
    expect(res.json().sections).toHaveLength(10);
  });
});
