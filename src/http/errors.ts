import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asConstraintViolation, isDatabaseBusy, isDatabaseUnavailable, isStorageFull } from '../db/errors.js';
import { trackAllowedMethods } from './allowed-methods.js';
import { always } from './response-headers.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Headers every problem carries (sendProblem sets them), documented on every problem response. */
export const PROBLEM_HEADERS = { 'Cache-Control': always('no-store: an error is never a cacheable representation') };

export type FieldLocation = 'body' | 'query' | 'params' | 'headers';

export interface FieldError {
  location: FieldLocation;
  /** JSON Pointer to the offending value inside its location, e.g. "/sections/0/tips/1/title". */
  pointer: string;
  message: string;
}

/** Every `code` the API answers with: the Problem schema's enum, so clients get a union, not a string. */
export const PROBLEM_CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'precondition_failed',
  'payload_too_large',
  'uri_too_long',
  'unsupported_media_type',
  'rule_violation',
  'rate_limited',
  'internal',
  'busy',
  'not_ready',
  'method_not_allowed',
  'not_acceptable',
  'request_timeout',
  'length_required',
  'headers_too_large',
  'malformed_request',
  'client_error',
  'shutting_down',
  'invalid_preflight',
  'console_not_built',
  'unavailable',
  'storage_full',
  'cursor_expired',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

interface ProblemInit {
  status: number;
  code: ProblemCode;
  title: string;
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
}

/** An error the client caused or may act on; rendered as an RFC 9457 problem. */
export class AppError extends Error {
  readonly status: number;
  readonly code: ProblemCode;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail);
    this.name = 'AppError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
  }
}

export const notFound = (detail: string) =>
  new AppError({ status: 404, code: 'not_found', title: 'Not Found', detail });
export const conflict = (detail: string) => new AppError({ status: 409, code: 'conflict', title: 'Conflict', detail });
export const ruleViolation = (detail: string, errors?: FieldError[]) =>
  new AppError({
    status: 422,
    code: 'rule_violation',
    title: 'Unprocessable Content',
    detail,
    ...(errors ? { errors } : {}),
  });
export const badRequest = (detail: string, errors?: FieldError[]) =>
  new AppError({ status: 400, code: 'invalid_request', title: 'Bad Request', detail, ...(errors ? { errors } : {}) });

export const FieldErrorSchema = z
  .object({
    location: z.enum(['body', 'query', 'params', 'headers']),
    pointer: z.string().describe('JSON Pointer to the offending value within its location'),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

export const ProblemSchema = z
  .object({
    type: z.string().describe('A stable URI identifying the kind of problem'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(PROBLEM_CODES).describe('A stable, machine-readable error code'),
    instance: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional().describe('Each offending field, for bad input'),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem details object' });

export type Problem = z.infer<typeof ProblemSchema>;

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'The request does not match its schema',
  401: 'Missing, unknown or revoked API key',
  403: 'The API key lacks the required role',
  404: 'No such resource',
  409: 'Conflicts with the current state (e.g. a duplicate slug)',
  412: 'The If-Match ETag is stale',
  410: 'Gone: no longer available',
  413: 'The body is too large',
  415: 'Unsupported content type',
  422: 'Well-formed, but breaks a rule',
  429: 'Too many requests',
  500: 'Unexpected server error',
  503: 'Temporarily unavailable',
};

type ProblemResponse = { description: string; content: Record<string, { schema: typeof ProblemSchema }> };

/** Response schemas for the listed error statuses (and 500), documented as application/problem+json. */
export function problemResponses<const S extends number[]>(...statuses: S): Record<S[number] | 500, ProblemResponse> {
  const responses = {} as Record<S[number] | 500, ProblemResponse>;
  for (const status of [...statuses, 500] as (S[number] | 500)[]) {
    responses[status] = {
      description: STATUS_DESCRIPTIONS[status] ?? 'Error',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    };
  }
  return responses;
}

export function problemType(code: ProblemCode): string {
  return `urn:quire:problem:${code}`;
}

function toProblem(error: AppError, request: FastifyRequest): Problem {
  return {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    instance: request.url,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  // An error is never a cacheable representation of the resource.
  reply.removeHeader('etag');
  reply.removeHeader('surrogate-key');
  return reply
    .code(error.status)
    .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
    .header('cache-control', 'no-store')
    .send(toProblem(error, reply.request));
}

const LOCATIONS: Record<string, FieldLocation> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

function validationErrors(error: FastifyError): FieldError[] {
  const location = LOCATIONS[error.validationContext ?? 'body'] ?? 'body';
  return (error.validation ?? []).flatMap((issue) => {
    const params = issue.params as { keys?: string[] } | undefined;
    // One entry per unknown field, so a client can see exactly what to remove.
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(params?.keys)) {
      return params.keys.map((key) => ({
        location,
        pointer: `${issue.instancePath === '/' ? '' : issue.instancePath}/${key}`,
        message: 'Unknown field',
      }));
    }
    return [{ location, pointer: issue.instancePath || '/', message: issue.message ?? 'Invalid value' }];
  });
}

/** Turns any thrown error into a problem; the only place that knows the error shape. */
export function toAppError(error: unknown, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    const errors = validationErrors(fastifyError);
    const where = LOCATIONS[fastifyError.validationContext ?? 'body'] ?? 'body';
    return badRequest(
      `The request ${where} is invalid: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
      errors,
    );
  }
  const violation = asConstraintViolation(error);
  if (violation) {
    const what = violation.columns.length > 0 ? ` (${violation.columns.join(', ')})` : '';
    if (violation.kind === 'unique') return conflict(`A resource with the same unique value already exists${what}.`);
    if (violation.kind === 'foreign_key') return conflict('The change conflicts with related resources.');
    return ruleViolation(`The change breaks a data rule${what}.`);
  }
  if (isDatabaseBusy(error)) {
    return new AppError({
      status: 503,
      code: 'busy',
      title: 'Service Unavailable',
      detail: 'The database is busy; retry shortly.',
      headers: { 'retry-after': '1' },
    });
  }
  if (isStorageFull(error)) {
    request.log.error({ err: error }, 'storage full');
    return new AppError({
      status: 503,
      code: 'storage_full',
      title: 'Service Unavailable',
      detail: 'The server has no room to store this right now; nothing was written. Retry later.',
      headers: { 'retry-after': '30' },
    });
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    return new AppError({
      status: 503,
      code: 'unavailable',
      title: 'Service Unavailable',
      detail: 'The database cannot be reached; retry shortly.',
      headers: { 'retry-after': '2' },
    });
  }
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new AppError({
      status: 413,
      code: 'payload_too_large',
      title: 'Content Too Large',
      detail: 'The request body exceeds the configured limit.',
    });
  }
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new AppError({
      status: 415,
      code: 'unsupported_media_type',
      title: 'Unsupported Media Type',
      detail: 'Send the body as application/json.',
    });
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500 && !isResponseSerializationError(fastifyError as never)) {
    // Fastify's and its plugins' own client errors (bad content length, a refused static path) keep their status.
    return clientError(status, fastifyError.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return new AppError({
    status: 500,
    code: 'internal',
    title: 'Internal Server Error',
    detail: 'An unexpected error occurred.',
  });
}

// A stable code for each client-error status a framework or plugin may raise.
const CLIENT_ERROR_CODES: Record<number, ProblemCode> = {
  400: 'invalid_request',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  411: 'length_required',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
};

/** A client error raised outside our code: titled and coded by its status, never "Bad Request" for all. */
function clientError(status: number, detail: string): AppError {
  return new AppError({
    status,
    code: CLIENT_ERROR_CODES[status] ?? 'client_error',
    title: STATUS_CODES[status] ?? 'Client Error',
    detail,
  });
}

/** Errors Fastify raises before routing (a malformed URL, an overlong parameter), as problems. */
export function sendFrameworkProblem(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status =
    typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  return sendProblem(reply, clientError(status, error.message));
}

export function installProblemHandlers(app: FastifyInstance): void {
  const allowedMethods = trackAllowedMethods(app);
  app.setErrorHandler((error, request, reply) => sendProblem(reply, toAppError(error, request)));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = allowedMethods(path);
    if (allowed.length === 0) return sendProblem(reply, notFound(`No route matches ${request.method} ${path}.`));
    return sendProblem(
      reply,
      new AppError({
        status: 405,
        code: 'method_not_allowed',
        title: 'Method Not Allowed',
        detail: `${path} does not answer ${request.method}; it answers ${allowed.join(', ')}.`,
        headers: { allow: allowed.join(', ') },
      }),
    );
  });

  // Fastify's own 503 while closing is not a problem document (return503OnClosing is off): this one is.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A response finished while closing ends its connection, so a keep-alive client cannot hold shutdown open.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onRequest', async (request) => {
    if (closing) {
      throw new AppError({
        status: 503,
        code: 'shutting_down',
        title: 'Service Unavailable',
        detail: 'The server is shutting down; retry shortly.',
        headers: { 'retry-after': '1', connection: 'close' },
      });
    }
    // CORS answers real preflights; an OPTIONS without their headers is not one.
    const { origin } = request.headers;
    if (request.method === 'OPTIONS' && (!origin || !request.headers['access-control-request-method'])) {
      throw new AppError({
        status: 400,
        code: 'invalid_preflight',
        title: 'Bad Request',
        detail: 'OPTIONS is answered only as a CORS preflight: send Origin and Access-Control-Request-Method.',
      });
    }
  });
}

const CLIENT_ERRORS: Record<string, { status: number; code: ProblemCode; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    detail: 'The whole request did not arrive within the time allowed.',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    detail: 'The request headers exceed the size the server accepts.',
  },
};

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (a timeout, oversized headers,
 * malformed HTTP), written to the socket as problems; the connection is then closed.
 */
export function sendClientErrorProblem(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (error.code && CLIENT_ERRORS[error.code]) || {
    status: 400,
    code: 'malformed_request',
    detail: 'The request is not valid HTTP/1.1.',
  };
  // A response already under way on this connection cannot be followed by another one.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify({
      type: problemType(known.code),
      title: STATUS_CODES[known.status],
      status: known.status,
      detail: known.detail,
      code: known.code,
    });
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
