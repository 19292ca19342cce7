import type { FastifyInstance } from 'fastify';
import { AppError, badRequest, type FieldError } from './errors.js';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Enough for a client to see the pattern; a hostile body does not get a problem as large as itself.
const MAX_REPORTED = 20;

const pointerOf = (path: string[]) => path.map((part) => `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * Every string (key or value, at any depth) must be well-formed Unicode: a lone surrogate cannot be
 * stored as UTF-8 and would silently become U+FFFD, and U+0000 cannot be stored as PostgreSQL text. Keys
 * that reach an object's prototype are refused too.
 */
function findBadStrings(value: unknown, path: string[], errors: FieldError[]): void {
  if (errors.length >= MAX_REPORTED) return;
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value))
      errors.push({ location: 'body', pointer: pointerOf(path), message: 'Not well-formed Unicode (lone surrogate)' });
    // PostgreSQL text cannot hold U+0000, and no form sends it: refused alike on both engines.
    else if (value.includes('\u0000'))
      errors.push({ location: 'body', pointer: pointerOf(path), message: 'Contains a NUL character (U+0000)' });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) findBadStrings(item, [...path, String(index)], errors);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, key];
    if (LONE_SURROGATE.test(key)) {
      errors.push({ location: 'body', pointer: pointerOf(at), message: 'Property name is not well-formed Unicode' });
    } else if (
      key === '__proto__' ||
      (key === 'constructor' && item !== null && typeof item === 'object' && Object.hasOwn(item, 'prototype'))
    ) {
      errors.push({ location: 'body', pointer: pointerOf(at), message: 'Property name not allowed' });
    }
    findBadStrings(item, at, errors);
  }
}

/** Parses a JSON body: UTF-8 only (415 otherwise), well-formed, every string valid Unicode (400 otherwise). */
export function parseJsonBody(contentType: string | undefined, raw: Buffer): unknown {
  const charset = CHARSET.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError({
      status: 415,
      code: 'unsupported_media_type',
      title: 'Unsupported Media Type',
      detail: `Send the body as UTF-8 JSON (charset=utf-8 or none), not charset=${charset}.`,
    });
  }
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw badRequest('The body is not valid UTF-8.', [{ location: 'body', pointer: '', message: 'Not valid UTF-8' }]);
  }
  // Action endpoints take no body or {}: an empty body sent as JSON is read as no body, not an error.
  if (text === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'syntax error';
    throw badRequest(`The body is not valid JSON: ${reason}.`, [{ location: 'body', pointer: '', message: reason }]);
  }
  const errors: FieldError[] = [];
  findBadStrings(body, [], errors);
  if (errors.length > 0) {
    throw badRequest(
      `The request body is invalid: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
      errors,
    );
  }
  return body;
}

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  // Bodies are JSON only: text is 415 like any other type, not a string the schema then refuses with 400.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    try {
      done(null, parseJsonBody(request.headers['content-type'], raw as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
