import { describe, expect, it } from 'vitest';
import { createTestApp, tables } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/factories.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

const { apiKeys } = tables;

const LOOSE_SPELLINGS_OF_ONE = ['%201', '1%20', '+1', '0x1', '1e0', '1.0', '01', '%2B1', '1n'];

describe('path ids', () => {
  it('accept only canonical decimal integers: a loose spelling of an id gets 400 and changes nothing', async () => {
    const { app, db } = await createTestApp();
    const admin = bearer(await createKeyFor(db, 'admin'));
    const { id: articleId } = await createArticle(db);
    expect(articleId).toBe(1);
    await createComment(db, { articleId, status: 'pending' });

    for (const id of LOOSE_SPELLINGS_OF_ONE) {
      for (const [method, url] of [
        ['DELETE', `/v1/admin/keys/${id}`],
        ['GET', `/v1/admin/articles/${id}`],
        ['POST', `/v1/admin/articles/${id}/publish`],
        ['GET', `/v1/admin/comments/${id}`],
        ['DELETE', `/v1/admin/comments/${id}`],
      ] as const) {
        const res = await app.inject({ method, url, headers: admin });
        expect(res.statusCode, `${method} ${url}`).toBe(400);
        expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        expect(res.json().errors, `${method} ${url}`).toEqual([
          { location: 'params', pointer: '/id', message: expect.any(String) },
        ]);
      }
    }
    // Key 1 (the admin's own) is still valid, and the comment was never deleted.
    expect((await db.read.select().from(apiKeys)).map((key) => key.revokedAt)).toEqual([null]);
    expect((await app.inject({ method: 'GET', url: '/v1/admin/comments/1', headers: admin })).json()).toMatchObject({
      id: 1,
      status: 'pending',
    });
    expect((await app.inject({ method: 'GET', url: '/v1/admin/articles/1', headers: admin })).statusCode).toBe(200);
  });

  it('refuses zero and ids beyond the largest 32-bit id', async () => {
    const { app, db } = await createTestApp();
    const admin = bearer(await createKeyFor(db, 'admin'));
    for (const id of ['0', '2147483648', '9007199254740992', '99999999999999999999']) {
      expect((await app.inject({ method: 'GET', url: `/v1/admin/articles/${id}`, headers: admin })).statusCode).toBe(
        400,
      );
    }
    expect((await app.inject({ method: 'GET', url: '/v1/admin/articles/2147483647', headers: admin })).statusCode).toBe(
      404,
    );
  });
});
