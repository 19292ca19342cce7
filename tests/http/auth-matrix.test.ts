import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/schema.js';
import { revokeKey } from '../../src/modules/keys/keys.repository.js';
import { createTestApp, tables } from '../helpers/app.js';
import { bearer, createKeyFor } from '../helpers/keys.js';

type Operation = { operationId: string; 'x-required-roles'?: Role[]; security?: unknown[] };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ROLES: Role[] = ['admin', 'editor', 'moderator'];

/** Every management operation, read from the OpenAPI document so a new route cannot escape the matrix. */
async function managementOperations() {
  const { app } = await createTestApp();
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const operations: { method: (typeof METHODS)[number]; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op && path.startsWith('/v1/admin')) operations.push({ method, path, op });
    }
  }
  return operations;
}

const operations = await managementOperations();

describe('role × operation matrix', () => {
  it('covers every management operation, each declaring the bearer scheme and its roles', () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
    for (const { path, method, op } of operations) {
      expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
      expect(op['x-required-roles']?.length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });

  it.each(operations.map(({ method, path, op }) => [`${method.toUpperCase()} ${path}`, method, path, op] as const))(
    '%s: 401 without, with a malformed or a revoked key; 403 for roles not listed; never a 5xx',
    async (_name, method, path, op) => {
      const { app, db } = await createTestApp();
      const url = path.replace('{id}', '999999').replace('{slug}', 'no-such-slug');
      const call = async (headers: Record<string, string>) => {
        const res = await app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers,
          ...(method === 'get' || method === 'delete' ? {} : { payload: {} }),
        });
        expect(res.statusCode, `${JSON.stringify(headers)}: never a 5xx (${res.body.slice(0, 200)})`).toBeLessThan(500);
        return res;
      };

      const none = await call({});
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer realm="quire"/);
      expect(none.headers['content-type']).toBe('application/problem+json; charset=utf-8');

      for (const malformed of [
        'Basic dXNlcjpwYXNz',
        'Bearer',
        'Bearer quire_short',
        `Bearer quire_${'x'.repeat(43)}`,
      ]) {
        const res = await call({ authorization: malformed });
        expect(res.statusCode, malformed).toBe(401);
        expect(res.headers['www-authenticate']).toContain('Bearer');
      }

      const revoked = await createKeyFor(db, 'admin', 'revoked');
      const [row] = (await db.read.select().from(tables.apiKeys)).filter((k) => k.name === 'revoked');
      await db.withTransaction((tx) => revokeKey({ db: tx, id: row!.id, at: new Date().toISOString() }), {
        touchesContent: false,
      });
      expect((await call(bearer(revoked))).statusCode).toBe(401);

      const allowed = op['x-required-roles'] ?? [];
      for (const role of ROLES) {
        const res = await call(bearer(await createKeyFor(db, role)));
        if (allowed.includes(role)) expect([401, 403], `${role} should pass auth`).not.toContain(res.statusCode);
        else {
          expect(res.statusCode, `${role} should be forbidden`).toBe(403);
          expect(res.json().code).toBe('forbidden');
        }
      }
    },
  );

  it('gives editors content, moderators comments only, and admins everything', () => {
    const rolesOf = (prefix: string) =>
      operations.filter(({ path }) => path.startsWith(prefix)).map(({ op }) => op['x-required-roles']);
    for (const roles of [
      ...rolesOf('/v1/admin/articles'),
      ...rolesOf('/v1/admin/sections'),
      ...rolesOf('/v1/admin/tips'),
      ...rolesOf('/v1/admin/products'),
    ]) {
      expect(roles).toEqual(['admin', 'editor']);
    }
    for (const roles of rolesOf('/v1/admin/keys')) expect(roles).toEqual(['admin']);
    for (const roles of rolesOf('/v1/admin/comments')) expect(roles).toEqual(['admin', 'moderator']);
    for (const roles of rolesOf('/v1/admin/comment-blocks')) expect(roles).toEqual(['admin', 'moderator']);
    expect(rolesOf('/v1/admin/comment-blocks')).toHaveLength(4);
  });
});
