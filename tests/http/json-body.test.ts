import { describe, expect, it } from 'vitest';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { comments } = tables;

const PROBLEM = 'application/problem+json; charset=utf-8';
// JSON text as a client sends it: the escapes reach the parser, which makes lone surrogates of them.
const comment = (body: string) => `{"authorName":"Ada","authorEmail":"ada@example.org","body":"${body}"}`;

describe('JSON request bodies', () => {
  it('refuses a lone surrogate in a comment with 400 and errors[] pointing at it, and stores nothing', async () => {
    const { app, db } = await createTestApp();
    const { slug } = await createArticle(db);
    for (const body of ['Hello \\ud800', '\\udfff there', 'pair reversed \\udc00\\ud800']) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/articles/${slug}/comments`,
        headers: { 'content-type': 'application/json' },
        payload: comment(body),
      });
      expect(res.statusCode, body).toBe(400);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.json()).toMatchObject({
        code: 'invalid_request',
        errors: [{ location: 'body', pointer: '/body', message: expect.stringContaining('Unicode') }],
      });
    }
    expect(await db.read.select().from(comments)).toEqual([]);
    // A well-formed pair (an emoji written as escapes) is fine.
    const emoji = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      headers: { 'content-type': 'application/json' },
      payload: comment('Thanks \\ud83d\\ude00'),
    });
    expect(emoji.statusCode).toBe(202);
    expect((await db.read.select().from(comments))[0]?.body).toBe('Thanks 😀');
  });

  it('points at lone surrogates in keys and nested values', async () => {
    const { app, db } = await createTestApp();
    const editor = bearer(await createKeyFor(db, 'editor'));
    const res = await app.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers: { ...editor, 'content-type': 'application/json' },
      payload: '{"title":"T","sections":[{"heading":"H","tips":[{"title":"a\\ud800","body":"b"}]}],"x\\udbff/y":1}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { location: 'body', pointer: '/sections/0/tips/0/title', message: expect.any(String) },
      { location: 'body', pointer: '/x\udbff~1y', message: expect.any(String) },
    ]);
  });

  it('answers a non-UTF-8 charset with 415 and invalid UTF-8 bytes with 400', async () => {
    const { app, db } = await createTestApp();
    const { slug } = await createArticle(db);
    const latin1 = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      headers: { 'content-type': 'application/json; charset=latin1' },
      payload: comment('Caf\u00e9'),
    });
    expect(latin1.statusCode).toBe(415);
    expect(latin1.headers['content-type']).toBe(PROBLEM);
    expect(latin1.json().code).toBe('unsupported_media_type');
    const utf8 = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      payload: comment('Caf\u00e9'),
    });
    expect(utf8.statusCode).toBe(202);
    const bytes = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      headers: { 'content-type': 'application/json' },
      payload: Buffer.concat([Buffer.from(comment('Caf')), Buffer.from([0xe9])]),
    });
    expect(bytes.statusCode).toBe(400);
    expect(bytes.json().code).toBe('invalid_request');
    expect(await db.read.select().from(comments)).toHaveLength(1);
  });

  it('reports a __proto__ key as a field error, not as invalid JSON', async () => {
    const { app, db } = await createTestApp();
    const { slug } = await createArticle(db);
    const res = await app.inject({
      method: 'POST',
      url: `/v1/articles/${slug}/comments`,
      headers: { 'content-type': 'application/json' },
      payload: '{"authorName":"Ada","authorEmail":"ada@example.org","body":"Hi","__proto__":{"isAdmin":true}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).not.toContain('not valid JSON');
    expect(res.json().errors).toEqual([
      { location: 'body', pointer: '/__proto__', message: 'Property name not allowed' },
    ]);
  });

  it('still reads an empty JSON body as no body on action endpoints', async () => {
    const { app, db } = await createTestApp();
    const editor = bearer(await createKeyFor(db, 'editor'));
    const { id } = await createArticle(db, { status: 'draft' });
    const res = await app.inject({
      method: 'POST',
      url: `/v1/admin/articles/${id}/publish`,
      headers: { ...editor, 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(200);
  });
});
