/**
 * Errors as RFC 9457 problem details, the same in both phases: a stable `code`, its title, and the
 * request id. Code throws ProblemError; each phase's one error handler turns anything thrown into
 * `application/problem+json`.
 */

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
  /** The request path, when the path is not itself what was refused. */
  instance?: string;
  code: ProblemCode;
  requestId: string;
  errors?: { path: string; message: string }[];
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail?: string,
    /**
     * `pathRefused`: the request's path (or its whole head) is what is wrong, so the problem names
     * no `instance`: a hostile or oversized target is not sent back.
     */
    readonly extra: { headers?: Record<string, string>; errors?: { path: string; message: string }[]; pathRefused?: boolean } = {},
  ) {
    super(detail ?? TITLES[code]);
  }
}

export function problemBody(status: number, code: ProblemCode, instance: string | undefined, requestId: string, detail?: string): ProblemBody {
  return {
    type: `/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[code],
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(instance === undefined ? {} : { instance }),
    code,
    requestId,
  };
}

/**
 * A whole HTTP/1.1 response carrying a problem, for a request no framework will answer (Node's
 * parser refused it, or it asked for a tunnel): written straight to the socket, which then closes.
 */
export function rawProblemResponse(status: number, code: ProblemCode, detail: string, requestId: string): string {
  const json = JSON.stringify(problemBody(status, code, undefined, requestId, detail));
  return [
    `HTTP/1.1 ${status} ${TITLES[code]}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(json)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    json,
  ].join('\r\n');
}
