import type Database from 'better-sqlite3';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { checkAgainstDocument, doc, type Operation, operations, type World, world } from '../helpers/operations.js';

/**
 * Property-based requests generated from the OpenAPI document: for every operation, valid requests
 * built from its parameter and body schemas, and malformed ones (one input broken at a time). Every
 * answer is a documented status with its headers and body schema and never a 5xx; a malformed
 * request is refused with a 4xx; a refused write leaves every table as it was.
 * QUIRE_FUZZ_SEED picks another seed (printed on failure), QUIRE_FUZZ_RUNS scales the run counts.
 */
const SEED = Number(process.env.QUIRE_FUZZ_SEED ?? 20_261_128);
const SCALE = Number(process.env.QUIRE_FUZZ_RUNS ?? 1);
const VALID_RUNS = Math.round(100 * SCALE);
const MALFORMED_RUNS = Math.round(300 * SCALE);

type Schema = Record<string, unknown>;
const components = doc.components.schemas as Record<string, Schema>;
const resolve = (schema: Schema): Schema =>
  typeof schema.$ref === 'string' ? resolve(components[schema.$ref.split('/').at(-1)!]!) : schema;

const WORD = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const text = (min: number, max: number) =>
  fc.string({ unit: WORD, minLength: Math.max(min, 1), maxLength: Math.max(min, Math.min(max, min + 24)) });

/** An arbitrary producing values the schema accepts (or, for rules no schema states, nearly so). */
function arbitraryFor(input: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(input);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((s) => arbitraryFor(s, depth)));
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => arbitraryFor({ ...schema, type: t }, depth)));
  const number = (integer: boolean) => {
    const min = (schema.minimum as number | undefined) ?? ((schema.exclusiveMinimum as number | undefined) ?? -1) + 1;
    const max = Math.min((schema.maximum as number | undefined) ?? 1000, min + 1000);
    return integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
  };
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return number(true);
    case 'number':
      return number(false);
    case 'string': {
      const min = (schema.minLength as number | undefined) ?? 0;
      const max = (schema.maxLength as number | undefined) ?? 100;
      if (schema.format === 'email') return fc.constantFrom('jo@example.com', 'a.b@example.org');
      if (schema.format === 'date-time')
        return fc
          .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (schema.format === 'uri') return fc.constantFrom('https://example.com/a', 'https://example.org/b?c=d');
      if (typeof schema.pattern === 'string')
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= max);
      return text(min, max);
    }
    case 'array': {
      const max = Math.min((schema.maxItems as number | undefined) ?? 3, depth > 1 ? 1 : 3);
      return fc.array(arbitraryFor(schema.items as Schema, depth + 1), { maxLength: max });
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, arbitraryFor(s, depth + 1)]));
      return fc.record(model, { requiredKeys: (schema.required as string[] | undefined) ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value of another JSON type than the schema allows. */
function wrongTypeFor(input: Schema): unknown {
  const schema = resolve(input);
  const types = new Set<string>(
    ((schema.anyOf as Schema[] | undefined) ?? [schema]).flatMap((s) => {
      const t = resolve(s).type;
      return Array.isArray(t) ? t : [t as string];
    }),
  );
  if (!types.has('object')) return { unexpected: true };
  if (!types.has('array')) return [1, 2];
  return 'not-this';
}

type Request = {
  authorization?: string;
  id?: string;
  slug?: string;
  query: Record<string, string>;
  body?: unknown;
  raw?: string;
  contentType?: string;
};

function requestArbitraries(w: World, op: Operation, path: string) {
  const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query') as unknown as {
    name: string;
    schema: Schema;
    required?: boolean;
  }[];
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, arbitraryFor(p.schema).map(String)])), {
    requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
  }) as fc.Arbitrary<Record<string, string>>;
  const ids = [...new Set(Object.values(w.ids))];
  const id = fc.oneof(fc.constantFrom(...ids), fc.integer({ min: 1, max: 40 })).map(String);
  const slug = fc.oneof(
    fc.constantFrom('live', 'spare', 'spare-moved', 'shoe'),
    arbitraryFor({ type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 40 }) as fc.Arbitrary<string>,
  );
  const requestBody = op.requestBody as { required?: boolean; content: Record<string, { schema: Schema }> } | undefined;
  const bodySchema = requestBody?.content['application/json']?.schema;
  const body = bodySchema
    ? requestBody?.required === false
      ? fc.option(arbitraryFor(bodySchema), { nil: undefined })
      : arbitraryFor(bodySchema)
    : fc.constant(undefined);
  const valid: fc.Arbitrary<Request> = fc.record({
    ...(path.includes('{id}') ? { id } : {}),
    ...(path.includes('{slug}') ? { slug } : {}),
    query,
    body,
  }) as fc.Arbitrary<Request>;

  // Each breaks exactly one input, in a way the document says is refused.
  const breakers: fc.Arbitrary<(r: Request) => Request>[] = [];
  if (path.includes('{id}'))
    breakers.push(
      fc
        .constantFrom('abc', '-1', '0', '1.5', 'null', '99999999999999999999', '1;drop')
        .map((bad) => (r) => ({ ...r, id: bad })),
    );
  if (path.includes('{slug}'))
    breakers.push(
      fc
        .constantFrom('UPPER', 'a--b', '-a', 'a_b', 'x'.repeat(201), 'é', 'a b')
        .map((bad) => (r) => ({ ...r, slug: bad })),
    );
  if (queryParams.length > 0) {
    breakers.push(fc.constant((r: Request) => ({ ...r, query: { ...r.query, unexpectedField: '1' } })));
    const numeric = queryParams.filter((p) => ['integer', 'number'].includes(resolve(p.schema).type as string));
    if (numeric.length > 0)
      breakers.push(
        fc.tuple(fc.constantFrom(...numeric), fc.constantFrom('abc', '-5', '0.5', '1e400')).map(([p, bad]) => (r) => ({
          ...r,
          query: { ...r.query, [p.name]: bad },
        })),
      );
  }
  if (bodySchema) {
    const properties = Object.entries((resolve(bodySchema).properties ?? {}) as Record<string, Schema>);
    breakers.push(
      fc.constant((r: Request) => ({ ...r, body: { ...(r.body as object | undefined), unexpectedField: 1 } })),
      fc.constantFrom<unknown>(42, 'text', [1], true).map((bad) => (r) => ({ ...r, body: bad })),
      fc
        .constantFrom('{"a":', '{"a":1}}', "{'a':1}", '{"__proto__":{"x":1}}x')
        .map((raw) => (r) => ({ ...r, body: undefined, raw })),
      fc
        .constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded')
        .map((contentType) => (r) => ({ ...r, body: undefined, raw: 'a=1', contentType })),
    );
    if (properties.length > 0)
      breakers.push(
        fc.constantFrom(...properties).map(([key, s]) => (r) => ({
          ...r,
          body: { ...(r.body as object | undefined), [key]: wrongTypeFor(s) },
        })),
      );
  }
  if (path.startsWith('/v1/admin'))
    breakers.push(
      fc
        .constantFrom('Bearer', 'Basic dXNlcjpwYXNz', `Bearer quire_${'x'.repeat(43)}`, 'Bearer quire_short', '')
        .map((authorization) => (r) => ({ ...r, authorization })),
    );
  const malformed =
    breakers.length > 0
      ? fc.tuple(valid, fc.oneof(...breakers)).map(([request, breakIt]) => breakIt(request))
      : undefined;
  return { valid, malformed };
}

/** Every row of every table, read on the raw read connection: what a refused write must leave exactly as it was. */
function snapshotter(w: World): () => string {
  // SQLite only, like the fault tests: the raw reader is the cheapest way to read every row.
  const connection = (w.db.read as unknown as { $client: Database.Database }).$client;
  // Stored tables only (not the full-text index's virtual table), in a stable order whether or not they have a rowid.
  const tables = connection
    .prepare(
      "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all() as { name: string; wr: number }[];
  const reads = tables.map(({ name, wr }) =>
    connection.prepare(`SELECT * FROM "${name}" ORDER BY ${wr ? '1' : 'rowid'}`).raw(),
  );
  return () => JSON.stringify(reads.map((read) => read.all()));
}

/** Runs one request and checks it; the database is compared only around writes, and read again only after a change. */
function checker(w: World, method: string, path: string, op: Operation) {
  const snapshot = snapshotter(w);
  let known: string | undefined;
  return async (what: string, r: Request, mustBeRefused: boolean) => {
    const write = method !== 'get';
    if (write) known ??= snapshot();
    const res = await send(w, method, path, r);
    const described = `${what} ${JSON.stringify(r).slice(0, 300)}`;
    checkAgainstDocument(described, op, res);
    if (mustBeRefused) expect(res.statusCode, `${described}: ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
    if (!write) return;
    if (res.statusCode >= 400) expect(snapshot(), `${described}: a refused write changed the database`).toBe(known);
    else known = undefined;
  };
}

function send(w: World, method: string, path: string, r: Request): Promise<LightMyRequestResponse> {
  const search = new URLSearchParams(r.query).toString();
  const url =
    path.replace('{id}', encodeURIComponent(r.id ?? '')).replace('{slug}', encodeURIComponent(r.slug ?? '')) +
    (search ? `?${search}` : '');
  const management = path.startsWith('/v1/admin');
  const headers: Record<string, string> = management ? { ...w.admin } : {};
  if (r.authorization !== undefined) headers.authorization = r.authorization;
  if (r.raw !== undefined) headers['content-type'] = r.contentType ?? 'application/json';
  return w.app.inject({
    method: method.toUpperCase() as 'GET',
    url,
    headers,
    ...(r.raw !== undefined ? { payload: r.raw } : r.body !== undefined ? { payload: r.body as object } : {}),
  });
}

describe(`requests generated from the OpenAPI document (seed ${SEED})`, () => {
  it.each(
    operations.map(({ method, path, op }) => [`${op.operationId} (${method.toUpperCase()} ${path})`, method, path, op]),
  )(
    '%s: valid and malformed requests get documented answers, never a 5xx; refused writes change nothing',
    { timeout: 120_000 },
    async (name, method, path, op) => {
      const w = await world();
      const { valid, malformed } = requestArbitraries(w, op, path);
      const seedNote = `${name}: rerun with QUIRE_FUZZ_SEED=${SEED}`;
      const check = checker(w, method, path, op);
      await fc.assert(
        fc.asyncProperty(valid, (r) => check(`${seedNote} valid`, r, false)),
        { seed: SEED, numRuns: VALID_RUNS, endOnFailure: true },
      );
      if (!malformed) return;
      await fc.assert(
        fc.asyncProperty(malformed, (r) => check(`${seedNote} malformed`, r, true)),
        { seed: SEED, numRuns: MALFORMED_RUNS, endOnFailure: true },
      );
    },
  );

  it('generates malformed requests for every operation but the four public ones that take no input', () => {
    const inputless = operations
      .filter(({ path }) => !path.startsWith('/v1/admin'))
      .filter(({ op }) => !op.requestBody && !(op.parameters ?? []).some((p) => p.in !== 'header'))
      .map(({ op }) => op.operationId);
    // Nothing to break in these four: no parameter, no body, no key.
    expect(inputless.sort()).toEqual(['getLiveness', 'getReadiness', 'getSite', 'getSitemap']);
  });
});
