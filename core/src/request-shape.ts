/**
 * What a request must look like before any operation runs, the same rules in both phases, checked
 * in the order nginx (phase 2's public entry) checks them, so that one request gets one answer
 * whichever layer meets it first, even a request wrong in several ways at once:
 *
 * 1. the request line: the asterisk form (`OPTIONS *`), a NUL in the path, `..` above the root
 *    are refused; a line past the head limit is a 414 (Node's parser and nginx's buffer both stop
 *    there, see clientErrorResponse);
 * 2. Host, each as it comes: a second one, or one nginx would not take (empty, a `/`, a space, `..`);
 * 3. at the end of the head: an HTTP/1.1 request with no Host; TRACE (nginx never serves it);
 * 4. the body's declared length past the limit (nginx's client_max_body_size, before proxying);
 * 5. at the instance: a path that does not decode to UTF-8 (Fastify's router decodes it before
 *    any hook runs), the target's length (8 KiB), the number of header fields (100), a control
 *    character in the path, a trailing slash; then the route: no operation at this path (404),
 *    or not with this method (405).
 *
 * The contract's description lists them (contract/openapi.yaml, "Requests refused before any
 * operation").
 */
import { methodNotAllowed } from './errors.ts';
import { ProblemError, rawProblemResponse, type ProblemCode } from './problems.ts';
import { REQUEST_LIMITS } from './request-limits.ts';

export { REQUEST_LIMITS };

export interface RequestHead {
  method: string;
  /** The request target as sent: origin-form, absolute-form, or `*`. */
  url: string;
  httpVersion: string;
  /** Names and values in turn, as Node's `rawHeaders` has them. */
  rawHeaders: readonly string[];
}

export interface HeadRules {
  /** A body declared longer than this (Content-Length) is refused before anything is read. */
  bodyLimitBytes: number;
  /** The methods the API serves at a path, HEAD included; empty where it has no operation. */
  allowedMethods: (path: string) => readonly string[];
}

/** Paths the phases serve outside the contract (the cutover's handover), routed by the phase itself. */
const ADMIN_PREFIX = '/admin/';

/** Control characters (C0 and DEL) have no place in a path, encoded or not. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Nothing of a refused head is sent back, its path included. */
const REFUSED_HEAD = { pathRefused: true } as const;
const malformed = (detail: string) => new ProblemError(400, 'MALFORMED_REQUEST', detail, REFUSED_HEAD);

/**
 * The target in origin-form: an absolute-form target (`GET http://host/path`, which RFC 9112
 * section 3.2.2 says a server must accept) loses its scheme and authority.
 */
export function originForm(url: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  if (!absolute) return url;
  const rest = url.slice(absolute[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Whether a Host value is one nginx takes (its ngx_http_validate_host): a host before any port
 * that is not empty once a trailing dot is dropped, with no `..`, no `/` or `\`, and no space or
 * control character. RFC 9112 section 3.2 has a server answer 400 to an invalid Host; these are
 * the invalid values as the public entry decides them.
 */
export function hostAcceptable(value: string): boolean {
  let hostLength = value.length;
  let inLiteral = false;
  let hostEnded = false;
  for (let i = 0; i < value.length; i += 1) {
    const ch = value.charCodeAt(i);
    const char = value[i];
    if (char === '.' && i > 0 && value[i - 1] === '.') return false;
    if (char === ':' && !hostEnded && !inLiteral) {
      hostLength = i;
      hostEnded = true;
    } else if (char === '[' && i === 0) {
      inLiteral = true;
    } else if (char === ']' && inLiteral && !hostEnded) {
      hostLength = i + 1;
      inLiteral = false;
      hostEnded = true;
    } else if (char === '/' || char === '\\' || ch <= 0x20 || ch === 0x7f) {
      return false;
    }
  }
  if (hostLength > 0 && value[hostLength - 1] === '.') hostLength -= 1;
  return hostLength > 0;
}

/** The Host fields of a head in order: what is wrong with them as they come, or null. */
function hostFieldsProblem(hosts: readonly string[]): ProblemError | null {
  if (hosts.length > 1) return malformed('The request has more than one Host header.');
  const [host] = hosts;
  if (host !== undefined && !hostAcceptable(host)) return malformed('The Host header is not a host name, an address, or either with a port.');
  return null;
}

/**
 * Whether the path, its escapes decoded byte by byte as nginx decodes them, has a NUL, or climbs
 * above the root with `..` segments: nginx refuses both as it reads the request line.
 */
function refusedWithTheRequestLine(path: string): boolean {
  if (/%00/.test(path)) return true;
  const bytes = path.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  let depth = 0;
  for (const segment of bytes.split('/').slice(1)) {
    if (segment === '..') depth -= 1;
    else if (segment !== '.' && segment !== '') depth += 1;
    if (depth < 0) return true;
  }
  return false;
}

/** Why this request is refused before any operation runs, or null when its head is acceptable. */
export function requestHeadProblem(head: RequestHead, rules: HeadRules): ProblemError | null {
  if (head.url === '*') return malformed('The asterisk-form target (OPTIONS *) asks about the server as a whole; this API answers only its own paths.');
  const path = originForm(head.url).split('?')[0] ?? '';
  if (refusedWithTheRequestLine(path)) return malformed('The path holds a NUL byte, or climbs above the root.');
  const hosts: string[] = [];
  let declaredLength: number | undefined;
  for (let i = 0; i < head.rawHeaders.length; i += 2) {
    const name = head.rawHeaders[i]?.toLowerCase();
    if (name === 'host') hosts.push(head.rawHeaders[i + 1] ?? '');
    // Node's parser has already refused a Content-Length that is not a number, or two that differ.
    else if (name === 'content-length') declaredLength = Number(head.rawHeaders[i + 1]);
  }
  const hostProblem = hostFieldsProblem(hosts);
  if (hostProblem) return hostProblem;
  // An HTTP/1.0 request needs no Host (RFC 9112 section 3.2 asks it of HTTP/1.1).
  if (hosts.length === 0 && head.httpVersion === '1.1') return malformed('An HTTP/1.1 request needs a Host header.');
  // TRACE would send the request back, cookies and all; the public entry refuses it on any path.
  if (head.method === 'TRACE') return methodNotAllowed(rules.allowedMethods(path));
  if (declaredLength !== undefined && declaredLength > rules.bodyLimitBytes) {
    return new ProblemError(413, 'PAYLOAD_TOO_LARGE', 'The body is larger than this server accepts.');
  }
  // The instance's own rules from here. Its router decodes the path before anything else.
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return malformed('The path is not valid percent-encoded UTF-8.');
  }
  if (Buffer.byteLength(head.url) > REQUEST_LIMITS.targetBytes) {
    return new ProblemError(414, 'URI_TOO_LONG', `The request target is longer than ${REQUEST_LIMITS.targetBytes} bytes.`, REFUSED_HEAD);
  }
  if (head.rawHeaders.length / 2 > REQUEST_LIMITS.headerFields) {
    return new ProblemError(431, 'HEADERS_TOO_LARGE', `The request has more than ${REQUEST_LIMITS.headerFields} header fields.`, REFUSED_HEAD);
  }
  if (CONTROL.test(decoded)) return malformed('The path holds a control character.');
  // Paths are exact, matched in the case they are written: none of the contract's ends in a slash.
  if (path.length > 1 && path.endsWith('/')) return new ProblemError(404, 'ROUTE_NOT_FOUND', 'No operation of the API has this path (paths are exact: no trailing slash).');
  if (path.startsWith(ADMIN_PREFIX)) return null;
  // Decided before any body is read: a body sent with a method the path does not take is not parsed.
  const allowed = rules.allowedMethods(path);
  if (allowed.length === 0) return new ProblemError(404, 'ROUTE_NOT_FOUND', 'No operation of the API has this path.');
  if (!allowed.includes(head.method)) return methodNotAllowed(allowed);
  return null;
}

/**
 * The answer to a head Node's parser gave up on because it passed the head limit, decided as
 * nginx decides it from the same bytes: a request line with no end within the limit is a 414, one
 * whose target is neither a path nor an absolute URL a 400; a second or invalid Host among the header lines complete before the overflow is a 400 (nginx
 * refuses each Host as it reads it); anything else is a 431. (`rawPacket` is what the parser was
 * given when it failed: on one connection's first read, the whole head so far.)
 */
function overflowAnswer(rawPacket: unknown): [number, ProblemCode, string] {
  const tooLarge: [number, ProblemCode, string] = [431, 'HEADERS_TOO_LARGE', 'The request headers are larger than this server accepts.'];
  if (!Buffer.isBuffer(rawPacket)) return tooLarge;
  // Only what fits within the limit was read before the parser stopped.
  const text = rawPacket.subarray(0, REQUEST_LIMITS.headBytes + 1).toString('latin1');
  const lineEnd = text.indexOf('\n');
  if (/^[A-Z]+ /.test(text) && (lineEnd === -1 || lineEnd > REQUEST_LIMITS.headBytes)) {
    return [414, 'URI_TOO_LONG', 'The request target is longer than this server accepts.'];
  }
  // nginx refuses a target in neither origin- nor absolute-form (`*`, CONNECT's authority) at once.
  const target = text.slice(0, lineEnd).split(' ')[1] ?? '';
  if (!target.startsWith('/') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return [400, 'MALFORMED_REQUEST', 'The request target is neither a path nor an absolute URL.'];
  const complete = text.slice(lineEnd + 1).split('\n').slice(0, -1);
  const hosts = complete.map((line) => /^host:(.*)$/i.exec(line.replace(/\r$/, ''))?.[1]?.trim()).filter((value): value is string => value !== undefined);
  const hostProblem = hostFieldsProblem(hosts);
  return hostProblem ? [400, 'MALFORMED_REQUEST', hostProblem.detail ?? ''] : tooLarge;
}

/**
 * The whole HTTP response for a request Node's parser refused before any framework saw it (a
 * malformed request line, a head past the size limit, a request that took too long): written
 * straight to the socket from the server's `clientError` event, in problem+json like every other
 * error, with a new request id and nothing of the request echoed.
 */
export function clientErrorResponse(error: { code?: string; rawPacket?: unknown }, requestId: string): string {
  const [status, code, detail]: [number, ProblemCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? overflowAnswer(error.rawPacket)
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time.']
        : [400, 'MALFORMED_REQUEST', 'The request could not be parsed as HTTP.'];
  return rawProblemResponse(status, code, detail, requestId);
}

/**
 * The answer to CONNECT (Node's `connect` event, which no framework sees): the authority-form
 * target asks for a tunnel, which this API does not offer; nginx refuses the same request line as
 * malformed.
 */
export function connectResponse(requestId: string): string {
  return rawProblemResponse(400, 'MALFORMED_REQUEST', 'CONNECT asks for a tunnel; this API answers only its own paths.', requestId);
}
