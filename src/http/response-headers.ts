/**
 * Response headers, declared on the route beside its schemas: `responseHeaders({ 201: { ...LOCATION } })`
 * puts them on the route schema as an extension, and the OpenAPI document moves them onto each response.
 */

export interface HeaderDoc {
  description: string;
  /** Sent on every response of that status (OpenAPI `required`). */
  required: boolean;
}

/** Headers by response status; `*` means every response the operation documents. */
export type HeaderDeclaration = { [status: number]: Record<string, HeaderDoc> } & { '*'?: Record<string, HeaderDoc> };

export const RESPONSE_HEADERS_KEY = 'x-response-headers';

/** A header sent on every response of its status. */
export const always = (description: string): HeaderDoc => ({ description, required: true });

/** Merges declarations status by status; the result goes into a route schema. */
export function responseHeaders(...declarations: (HeaderDeclaration | undefined)[]): {
  [RESPONSE_HEADERS_KEY]: HeaderDeclaration;
} {
  const merged: Record<string, Record<string, HeaderDoc>> = {};
  for (const declaration of declarations) {
    for (const [status, headers] of Object.entries(declaration ?? {}))
      merged[status] = { ...merged[status], ...headers };
  }
  return { [RESPONSE_HEADERS_KEY]: merged as HeaderDeclaration };
}

// The headers more than one route sends, described once.
export const NO_STORE = { 'Cache-Control': always('no-store: private to the caller, never cached') };
export const ARTICLE_ETAG = { ETag: always('The article revision; send it back as If-Match on your next write') };
export const COMMENT_ETAG = { ETag: always('The comment revision; send it back as If-Match on your next decision') };
export const WWW_AUTHENTICATE = {
  'WWW-Authenticate': always('Bearer realm="quire", with error="invalid_token" for a bad key'),
};
export const location = (description: string) => ({ Location: always(description) });

type ResponseObject = { description?: string; headers?: Record<string, unknown> };
type OperationObject = { responses?: Record<string, ResponseObject>; [RESPONSE_HEADERS_KEY]?: HeaderDeclaration };

/** Moves an operation's declared headers onto its responses (creating a bodiless response, e.g. a 304, if needed). */
export function documentResponseHeaders(op: OperationObject, descriptions: Record<string, string>): void {
  const declaration = op[RESPONSE_HEADERS_KEY];
  delete op[RESPONSE_HEADERS_KEY];
  if (!declaration) return;
  op.responses ??= {};
  const responses = op.responses;
  for (const status of Object.keys(declaration)) {
    if (status !== '*') responses[status] ??= { description: descriptions[status] ?? 'Response' };
  }
  for (const [status, response] of Object.entries(responses)) {
    const declared = { ...declaration['*'], ...declaration[Number(status)] };
    for (const [name, { description, required }] of Object.entries(declared)) {
      response.headers = { ...response.headers, [name]: { description, required, schema: { type: 'string' } } };
    }
  }
}
