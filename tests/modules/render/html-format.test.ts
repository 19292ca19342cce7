import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../helpers/app.js';
import { publishViaApi } from '../../helpers/editorial.js';
import { createArticle, createComment } from '../../helpers/factories.js';

const HOSTILE = [
  'Hello **world**, see [the guide](https://example.com/guide).',
  '',
  '<script>alert("xss")</script>',
  '',
  '[click](javascript:alert(1)) and <a href="javascript:alert(2)">raw link</a>',
  '',
  '<img src="/images/x.jpg" onerror="alert(3)"> <div onclick="alert(4)" style="position:fixed">boxed</div>',
  '',
  '<iframe src="https://evil.example"></iframe>',
].join('\n');

const ARTICLE = {
  title: 'Rendering test',
  summary: 'A *short* card',
  intro: HOSTILE,
  conclusion: null,
  sections: [
    {
      heading: 'Causes',
      lead: 'Lead with `code`',
      tips: [{ title: 'Footwear', body: '- one\n- two <svg onload="alert(5)"></svg>' }],
    },
  ],
};

function expectSafe(html: string) {
  expect(html).not.toMatch(/<script|<iframe|<svg|<div|onerror|onclick|onload|style=/i);
  // "javascript:" may survive as visible text, never as a link or a source.
  expect(html).not.toMatch(/(href|src)\s*=\s*["']?\s*javascript:/i);
}

describe('?format=html', () => {
  it('adds sanitised HTML beside every Markdown field of the article, keeping the Markdown', async () => {
    const { app, db } = await createTestApp();
    const { slug } = await publishViaApi(app, db, ARTICLE);
    const res = await app.inject({ method: 'GET', url: `/v1/articles/${slug}?format=html` });
    expect(res.statusCode).toBe(200);
    const article = res.json();
    expect(article.intro).toBe(HOSTILE);
    expect(article.introHtml).toContain('<strong>world</strong>');
    expect(article.introHtml).toContain('<a href="https://example.com/guide">the guide</a>');
    expect(article.introHtml).toContain('<img src="/images/x.jpg" />');
    expectSafe(article.introHtml);
    expect(article.introHtml).toContain('<a>raw link</a>');
    expect(article.summaryHtml).toBe('<p>A <em>short</em> card</p>\n');
    expect(article.conclusionHtml).toBeNull();
    expect(article.sections[0].leadHtml).toBe('<p>Lead with <code>code</code></p>\n');
    const tipHtml = article.sections[0].tips[0].bodyHtml as string;
    expect(tipHtml).toContain('<li>one</li>');
    expectSafe(tipHtml);
    // Key order: each companion right after its field.
    expect(Object.keys(article).slice(3, 9)).toEqual([
      'summary',
      'summaryHtml',
      'intro',
      'introHtml',
      'conclusion',
      'conclusionHtml',
    ]);
  });

  it('adds summaryHtml to list items; markdown,html means the same; without it nothing changes', async () => {
    const { app, db } = await createTestApp();
    await publishViaApi(app, db, ARTICLE);
    const html = (await app.inject({ method: 'GET', url: '/v1/articles?format=markdown,html' })).json();
    expect(html.data[0].summaryHtml).toBe('<p>A <em>short</em> card</p>\n');
    const plain = await app.inject({ method: 'GET', url: '/v1/articles' });
    expect(plain.body).not.toContain('Html');
    const markdown = await app.inject({ method: 'GET', url: '/v1/articles?format=markdown' });
    expect(markdown.body).toBe(plain.body);
  });

  it('escapes comments as plain text and links web addresses with rel="nofollow ugc"', async () => {
    const { app, db } = await createTestApp();
    const article = await createArticle(db);
    const root = await createComment(db, {
      articleId: article.id,
      body: '<b>Great</b> **post** & see https://example.com/a?b=1&c="2"\n\nSecond <img src=x onerror=alert(1)> line\nwww.example.org',
    });
    await createComment(db, { articleId: article.id, parentId: root, body: 'javascript:alert(1) <script>' });
    const res = await app.inject({ method: 'GET', url: `/v1/articles/${article.slug}/comments?format=html` });
    expect(res.statusCode).toBe(200);
    const [comment] = res.json().data;
    expect(comment.bodyHtml).toBe(
      '<p>&lt;b&gt;Great&lt;/b&gt; **post** &amp; see <a href="https://example.com/a?b=1&amp;c=&quot;2&quot;" rel="nofollow ugc">https://example.com/a?b=1&amp;c=&quot;2&quot;</a></p>\n' +
        '<p>Second &lt;img src=x onerror=alert(1)&gt; line<br>\n<a href="http://www.example.org" rel="nofollow ugc">www.example.org</a></p>',
    );
    expect(comment.replies[0].bodyHtml).toBe('<p>javascript:alert(1) &lt;script&gt;</p>');
  });

  it('is part of the ETag and of the cache key; a matching If-None-Match per format gets 304', async () => {
    const { app, db } = await createTestApp();
    const { slug } = await publishViaApi(app, db, ARTICLE);
    const md = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    const html = await app.inject({ method: 'GET', url: `/v1/articles/${slug}?format=html` });
    expect(html.headers.etag).not.toBe(md.headers.etag);
    // Served again (from the response cache): the HTML document, not the Markdown one.
    const again = await app.inject({ method: 'GET', url: `/v1/articles/${slug}?format=html` });
    expect(again.body).toBe(html.body);
    const again2 = await app.inject({ method: 'GET', url: `/v1/articles/${slug}` });
    expect(again2.body).toBe(md.body);
    const revalidated = await app.inject({
      method: 'GET',
      url: `/v1/articles/${slug}?format=html`,
      headers: { 'if-none-match': html.headers.etag as string },
    });
    expect(revalidated.statusCode).toBe(304);
  });

  it('renders the same with the response cache off', async () => {
    const cached = await createTestApp();
    const uncached = await createTestApp({ config: { responseCacheBytes: 0 } });
    const a = await publishViaApi(cached.app, cached.db, ARTICLE);
    const b = await publishViaApi(uncached.app, uncached.db, ARTICLE);
    const one = await cached.app.inject({ method: 'GET', url: `/v1/articles/${a.slug}?format=html` });
    const two = await uncached.app.inject({ method: 'GET', url: `/v1/articles/${b.slug}?format=html` });
    const three = await uncached.app.inject({ method: 'GET', url: `/v1/articles/${b.slug}?format=html` });
    expect(two.json().introHtml).toBe(one.json().introHtml);
    expect(three.body).toBe(two.body);
  });

  it.each(['/v1/articles?format=bogus', '/v1/articles/x?format=HTML', '/v1/articles/x/comments?format=pdf'])(
    'refuses %s with a 400 problem',
    async (url) => {
      const { app, db } = await createTestApp();
      await createArticle(db, { slug: 'x' });
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.headers.etag).toBeUndefined();
    },
  );
});
