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
