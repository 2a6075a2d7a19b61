/**
 * Errors as RFC 9457 problem details, the same in both phases: a stable `code`, its title, and the
 * request id. Code throws ProblemError; each phase's one error handler turns anything thrown into
 * `application/problem+json`.
 */
import { REQUEST_LIMITS } from './request-limits.ts';

export type ProblemCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_REQUEST'
  | 'MALFORMED_BODY'
  | 'PAYLOAD_TOO_LARGE'
  | 'URI_TOO_LONG'
  | 'HEADERS_TOO_LARGE'
  | 'LENGTH_REQUIRED'
  | 'REQUEST_TIMEOUT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'AUTH_INVALID_CREDENTIALS'
  | 'AUTH_TOKEN_INVALID'
  | 'REFRESH_TOKEN_INVALID'
  | 'REFRESH_TOKEN_REUSED'
  | 'SESSION_REQUIRED'
  | 'CSRF_TOKEN_INVALID'
  | 'RESOURCE_NOT_FOUND'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PRODUCT_NOT_FOUND'
  | 'CART_LIMIT_EXCEEDED'
  | 'IDEMPOTENCY_KEY_IN_FLIGHT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'RATE_LIMITED'
  | 'MAINTENANCE'
  | 'SHUTTING_DOWN'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'SESSION_MOVING'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'NOT_IMPLEMENTED'
  | 'INTERNAL_ERROR';

const TITLES: Record<ProblemCode, string> = {
  VALIDATION_FAILED: 'Request validation failed',
  MALFORMED_REQUEST: 'Malformed request',
  MALFORMED_BODY: 'Malformed request body',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  URI_TOO_LONG: 'URI too long',
  HEADERS_TOO_LARGE: 'Request headers too large',
  LENGTH_REQUIRED: 'Length required',
  REQUEST_TIMEOUT: 'Request timeout',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  AUTH_INVALID_CREDENTIALS: 'Invalid credentials',
  AUTH_TOKEN_INVALID: 'Invalid or expired access token',
  REFRESH_TOKEN_INVALID: 'Invalid refresh token',
  REFRESH_TOKEN_REUSED: 'Refresh token reused',
  SESSION_REQUIRED: 'Session required',
  CSRF_TOKEN_INVALID: 'CSRF token missing or invalid',
  RESOURCE_NOT_FOUND: 'Resource not found',
  ROUTE_NOT_FOUND: 'No such route',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  PRODUCT_NOT_FOUND: 'Unknown product',
  CART_LIMIT_EXCEEDED: 'Cart line limit exceeded',
  IDEMPOTENCY_KEY_IN_FLIGHT: 'A request with this idempotency key is in progress',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused for another request',
  RATE_LIMITED: 'Too many requests',
  MAINTENANCE: 'Down for maintenance',
  SHUTTING_DOWN: 'Shutting down',
  DEPENDENCY_UNAVAILABLE: 'Dependency unavailable',
  SESSION_MOVING: 'Session moving between phases',
  UPSTREAM_UNAVAILABLE: 'No instance could answer',
  UPSTREAM_TIMEOUT: 'An instance did not answer in time',
  NOT_IMPLEMENTED: 'Not implemented',
  INTERNAL_ERROR: 'Internal server error',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  code: ProblemCode;
  requestId: string;
  errors?: { path: string; message: string }[];
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extra: { headers?: Record<string, string>; errors?: { path: string; message: string }[] } = {},
  ) {
    super(detail ?? TITLES[code]);
  }
}

export function problemBody(status: number, code: ProblemCode, instance: string, requestId: string, detail?: string): ProblemBody {
  return {
    type: `/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[code],
    status,
    ...(detail === undefined ? {} : { detail }),
    instance,
    code,
    requestId,
  };
}

/**
 * Node's parser counts the request line and the headers against one limit. When what overflowed
 * it is the request line itself (the bytes it had start a request line with no end within the
 * target limit), the client is told its URI is too long, as nginx tells it, not that its headers are.
 */
function requestLineOverflowed(rawPacket: unknown): boolean {
  if (!Buffer.isBuffer(rawPacket)) return false;
  const start = rawPacket.subarray(0, REQUEST_LIMITS.targetBytes + 64).toString('latin1');
  const end = start.indexOf('\n');
  return /^[A-Z]+ /.test(start) && (end === -1 || end > REQUEST_LIMITS.targetBytes);
}

/**
 * The whole HTTP response for a request Node's parser refused before any framework saw it (a
 * malformed request line, headers past the size limit, a request that took too long): written
 * straight to the socket from the server's `clientError` event, in problem+json like every other
 * error, with a new request id and nothing of the request echoed.
 */
export function clientErrorResponse(error: { code?: string; rawPacket?: unknown }, requestId: string): string {
  const [status, code, detail]: [number, ProblemCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW' && requestLineOverflowed(error.rawPacket)
      ? [414, 'URI_TOO_LONG', 'The request target is longer than this server accepts.']
      : error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'The request headers are larger than this server accepts.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time.']
        : [400, 'MALFORMED_REQUEST', 'The request could not be parsed as HTTP.'];
  const { instance: _instance, ...body } = problemBody(status, code, '', requestId, detail);
  const json = JSON.stringify(body);
  const reason = TITLES[code];
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(json)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    json,
  ].join('\r\n');
}
