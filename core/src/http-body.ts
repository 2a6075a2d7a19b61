import { parse as parseContentType } from 'content-type';
import { ProblemError } from './problems.ts';

/**
 * Whether a request carries a body, read from its framing headers the way HTTP/1.1 defines it
 * (RFC 9112, section 6.3): a positive Content-Length, or any Transfer-Encoding. Zero bytes are no
 * body whatever the Content-Type says, so both phases treat `Content-Type: application/json` with
 * nothing after it as a request without a body, and JSON `null` as a body that is not an object.
 */
export function bodySent(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (typeof length === 'string' && Number(length) > 0);
}

/** A request target's path, without its query: what the contract's paths are matched against. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * JSON is read as UTF-8 (RFC 8259, section 8.1, and the only encoding both phases' parsers read
 * alike). A `charset` parameter saying anything else (utf-16, latin1) announces a body this server
 * would misread: it is refused with 415 rather than decoded one way in one phase and another in
 * the other. `charset=utf-8` in any case, quoted or not, and any other parameter, are accepted.
 */
export function jsonCharsetProblem(contentType: string | undefined): ProblemError | null {
  if (contentType === undefined) return null;
  let charset: string | undefined;
  try {
    charset = parseContentType(contentType).parameters.charset;
  } catch {
    return new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The Content-Type header cannot be parsed; send application/json.');
  }
  if (charset === undefined || charset.toLowerCase() === 'utf-8') return null;
  return new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'JSON is read as UTF-8: send application/json with no charset, or charset=utf-8.');
}
