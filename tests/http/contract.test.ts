import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { bearer, createKeyFor } from '../helpers/keys.js';
import {
  BODY_LIMIT,
  type Call,
  checkAgainstDocument,
  operations,
  ROLES,
  SUCCESS,
  urlOf,
  world,
} from '../helpers/operations.js';

/**
 * The OpenAPI document against what the server really sends: every operation in the document is
 * called in the ways that produce its documented statuses, and each answer must be a documented
 * status, carry every header documented as required for it, document every watched header it sends,
 * and match the documented body schema. A route added without a way to call it here fails the test.
 */

describe('every operation answers as its OpenAPI document says', () => {
  it('has a successful call for exactly the documented operations', () => {
    expect(operations.length).toBeGreaterThanOrEqual(38);
    expect(operations.map(({ op }) => op.operationId).sort()).toEqual(Object.keys(SUCCESS).sort());
  });

  it.each(
    operations.map(({ method, path, op }) => [`${op.operationId} (${method.toUpperCase()} ${path})`, method, path, op]),
  )('%s: success, 400, 401/403, 404, 413, 415 and 304 as documented', async (name, method, path, op) => {
    const w = await world();
    const success = SUCCESS[op.operationId]!(w);
    const management = (op.security ?? []).length > 0;
    const observed = new Set<string>();
    const send = async (what: string, options: Omit<InjectOptions, 'method'> & { url: string }) => {
      const res = await w.app.inject({ method: method.toUpperCase() as 'GET', ...options });
      observed.add(checkAgainstDocument(`${name} ${what}`, op, res));
      return res;
    };
    const auth = management ? w.admin : {};
    const json = (body: object | undefined) => (body === undefined ? {} : { payload: body });

    if (management) {
      expect((await send('without a key', { url: urlOf(path, success), ...json(success.body) })).statusCode).toBe(401);
      const refused = ROLES.find((role) => !op['x-required-roles']?.includes(role));
      if (refused) {
        const key = bearer(await createKeyFor(w.db, refused, `${refused} probe`));
        const res = await send(`as ${refused}`, { url: urlOf(path, success), headers: key, ...json(success.body) });
        expect(res.statusCode).toBe(403);
      }
    }

    if (!management && op.responses['401']) {
      // A public operation with a credential of its own (a preview token): without it, 401.
      const res = await send('without its token', { url: urlOf(path, { ...success, query: undefined }) });
      expect(res.statusCode).toBe(401);
    }

    // Malformed: a non-integer id, an invalid slug, an unknown body field or an unknown query field.
    const malformed: Call | undefined = path.includes('{id}')
      ? { ...success, id: 'abc' }
      : path.includes('{file}')
        ? { ...success, file: 'abc' }
        : path.includes('{slug}')
          ? { ...success, slug: 'Not_A_Slug' }
          : op.requestBody
            ? { ...success, body: { ...success.body, unexpectedField: 1 } }
            : op.parameters?.some((p) => p.in === 'query')
              ? { ...success, query: 'unexpectedField=1' }
              : undefined;
    if (malformed) {
      const res = await send('malformed', { url: urlOf(path, malformed), headers: auth, ...json(malformed.body) });
      expect(res.statusCode).toBe(400);
    }

    if (op.responses['404']) {
      const missing = { ...success, ...(path.includes('{id}') ? { id: 999_999 } : { slug: 'no-such-slug' }) };
      if (path.includes('{id}') || path.includes('{slug}')) {
        const res = await send('missing', { url: urlOf(path, missing), headers: auth, ...json(success.body) });
        expect(res.statusCode).toBe(404);
      } else {
        // No parameter to miss: the resource itself is absent in an empty database.
        const empty = await createTestApp();
        const emptyAuth = management ? bearer(await createKeyFor(empty.db, 'admin', 'Empty')) : {};
        const res = await empty.app.inject({
          method: method.toUpperCase() as 'GET',
          url: urlOf(path, success),
          headers: emptyAuth,
        });
        observed.add(checkAgainstDocument(`${name} on an empty database`, op, res));
        expect(res.statusCode).toBe(404);
      }
    }

    if (op.requestBody) {
      const tooLarge = await send('with a body over the limit', {
        url: urlOf(path, success),
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ title: 'x'.repeat(BODY_LIMIT) }),
      });
      expect(tooLarge.statusCode).toBe(413);
      const notJson = await send('with a text body', {
        url: urlOf(path, success),
        headers: { ...auth, 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expect(notJson.statusCode).toBe(415);
    }

    const ok = await send('as documented', { url: urlOf(path, success), headers: auth, ...json(success.body) });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBeLessThan(300);

    if (op.responses['304']) {
      const again = await send('revalidated', {
        url: urlOf(path, success),
        headers: { 'if-none-match': ok.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
    }

    // Everything documented that these calls can produce was produced: the document promises nothing unsendable.
    const probed = ['304', '400', '401', '403', '404', '413', '415'];
    for (const status of Object.keys(op.responses)) {
      if (/^2/.test(status) || probed.includes(status))
        expect(observed, `${name}: documented ${status} never observed`).toContain(status);
    }
  });
});
