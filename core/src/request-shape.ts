/**
 * What a request must look like before any route is matched, the same rules in both phases (and,
 * where nginx has a say, the same answers as the public entry): decided once here so that one
 * request gets one answer, whichever phase or layer meets it first. The contract's description
 * lists them (contract/openapi.yaml, "Requests the API refuses before any operation").
 */
import { ProblemError } from './problems.ts';
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

/** Control characters (C0 and DEL) have no place in a path, encoded or not. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

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

/** Why this request is refused before routing, or null when its head is acceptable. */
export function requestHeadProblem(head: RequestHead): ProblemError | null {
  if (head.url === '*') {
    return new ProblemError(400, 'MALFORMED_REQUEST', 'The asterisk-form target (OPTIONS *) asks about the server as a whole; this API answers only its own paths.');
  }
  if (Buffer.byteLength(head.url) > REQUEST_LIMITS.targetBytes) {
    return new ProblemError(414, 'URI_TOO_LONG', `The request target is longer than ${REQUEST_LIMITS.targetBytes} bytes.`);
  }
  if (head.rawHeaders.length / 2 > REQUEST_LIMITS.headerFields) {
    return new ProblemError(431, 'HEADERS_TOO_LARGE', `The request has more than ${REQUEST_LIMITS.headerFields} header fields.`);
  }
  let hosts = 0;
  for (let i = 0; i < head.rawHeaders.length; i += 2) if (head.rawHeaders[i]?.toLowerCase() === 'host') hosts += 1;
  // RFC 9112 section 3.2: an HTTP/1.1 request without Host, or any with more than one, is a 400.
  // An empty Host is allowed (a target with no authority), and HTTP/1.0 needs none.
  if (hosts > 1) return new ProblemError(400, 'MALFORMED_REQUEST', 'The request has more than one Host header.');
  if (hosts === 0 && head.httpVersion === '1.1') return new ProblemError(400, 'MALFORMED_REQUEST', 'An HTTP/1.1 request needs a Host header.');
  const path = originForm(head.url).split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return new ProblemError(400, 'MALFORMED_REQUEST', 'The path is not valid percent-encoded UTF-8.');
  }
  if (CONTROL.test(decoded)) return new ProblemError(400, 'MALFORMED_REQUEST', 'The path holds a control character.');
  // Paths are exact: the contract has none that ends in a slash (and they are matched case as written).
  if (path.length > 1 && path.endsWith('/')) return new ProblemError(404, 'ROUTE_NOT_FOUND', 'No operation of the API has this path (paths are exact: no trailing slash).');
  return null;
}
