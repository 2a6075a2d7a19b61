/**
 * The rules a request's head and a JSON body's media type must meet before any operation runs,
 * on their own: each refusal, the acceptable shapes next to it, and details that echo nothing.
 * Both phases' HTTP stacks and nginx are checked against the same cases in
 * harness/test/conformance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { clientErrorResponse, connectResponse, hostAcceptable, jsonCharsetProblem, originForm, REQUEST_LIMITS, requestHeadProblem, type HeadRules, type RequestHead } from '../src/index.ts';

/** A contract of two paths, as the phases pass theirs (contract's allowedMethods). */
const PATHS: Record<string, string[]> = { '/api/products': ['GET', 'HEAD'], '/api/cart': ['POST'] };
const RULES: HeadRules = { bodyLimitBytes: 16_384, allowedMethods: (path) => PATHS[path] ?? [] };
const head = (overrides: Partial<RequestHead> = {}): RequestHead => ({ method: 'GET', url: '/api/products', httpVersion: '1.1', rawHeaders: ['Host', 'shop.test'], ...overrides });
const problemOf = (overrides: Partial<RequestHead>) => requestHeadProblem(head(overrides), RULES);
const refusal = (overrides: Partial<RequestHead>) => {
  const problem = problemOf(overrides);
  return problem ? { status: problem.status, code: problem.code } : null;
};
const fields = (count: number) => ['Host', 'shop.test', ...Array.from({ length: count - 1 }, (_, i) => [`X-F${String(i)}`, 'v']).flat()];

describe('a request head', () => {
  it('is acceptable in origin-form or absolute-form, with one Host (a port too), or none in HTTP/1.0', () => {
    expect(refusal({})).toBeNull();
    expect(refusal({ url: 'http://shop.test/api/products?page=2' })).toBeNull();
    expect(refusal({ httpVersion: '1.0', rawHeaders: [] })).toBeNull();
    expect(refusal({ rawHeaders: ['host', 'shop.test:8443'] })).toBeNull();
    expect(refusal({ method: 'HEAD' })).toBeNull();
    // Down and back up is no climb above the root; but paths are exact, so no operation has it.
    expect(refusal({ url: '/api/../api/products' })).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    // The query is not the path: a slash there is data.
    expect(refusal({ url: '/api/products?next=/a/' })).toBeNull();
  });

  it('is refused for the asterisk form, a missing or second Host, and a path that does not decode or holds a control character', () => {
    expect(refusal({ method: 'OPTIONS', url: '*' })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ rawHeaders: [] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ rawHeaders: ['Host', 'a', 'HOST', 'b'] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ rawHeaders: ['Host', ''] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ httpVersion: '1.0', rawHeaders: ['Host', 'a/b'] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    for (const url of ['/api/products/%ff%fe', '/api/products/%E0%A4%A', '/api/products/%00', '/api/products/a%0Ab', '/api/products/%7f', 'http://shop.test/api/%zz']) {
      expect(refusal({ url }), url).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    }
  });

  it('is a 404 with a trailing slash, as paths are exact', () => {
    expect(refusal({ url: '/api/products/' })).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(refusal({ url: 'http://shop.test/api/products/?page=1' })).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it('is a 414 past the target bound and a 431 past the field count, each at the first byte or field over, naming no input', () => {
    const atBound = `/api/products?q=${'a'.repeat(REQUEST_LIMITS.targetBytes - '/api/products?q='.length)}`;
    expect(refusal({ url: atBound })).toBeNull();
    expect(refusal({ url: `${atBound}a` })).toEqual({ status: 414, code: 'URI_TOO_LONG' });
    // Bytes, not characters: a target of multi-byte characters is measured as sent.
    expect(refusal({ url: `/${'é'.repeat(REQUEST_LIMITS.targetBytes / 2)}` })).toEqual({ status: 414, code: 'URI_TOO_LONG' });
    expect(refusal({ rawHeaders: fields(REQUEST_LIMITS.headerFields) })).toBeNull();
    expect(refusal({ rawHeaders: fields(REQUEST_LIMITS.headerFields + 1) })).toEqual({ status: 431, code: 'HEADERS_TOO_LARGE' });
    expect(problemOf({ url: `${atBound}aaaa` })?.message).not.toContain('aaaa');
  });

  it('refused, names no instance (the path is what was refused), except the 404 of a path that merely matches nothing', () => {
    for (const overrides of [{ url: '*' }, { url: '/%ff' }, { url: `/${'a'.repeat(REQUEST_LIMITS.targetBytes)}` }, { rawHeaders: [] }]) {
      expect(problemOf(overrides)?.extra.pathRefused).toBe(true);
    }
    expect(problemOf({ url: '/api/products/' })?.extra.pathRefused).toBeUndefined();
  });

  it('is a 404 at a path the contract does not have (in another case too), a 405 with Allow for a method it does not take there', () => {
    expect(refusal({ url: '/API/PRODUCTS' })).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(refusal({ url: '/nowhere' })).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(problemOf({ method: 'POST' })?.extra.headers).toEqual({ Allow: 'GET, HEAD' });
    expect(refusal({ method: 'OPTIONS', url: '/api/cart' })).toEqual({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    // The phases route their own admin endpoints (the cutover's handover) themselves.
    expect(refusal({ method: 'POST', url: '/admin/sessions/lease' })).toBeNull();
  });

  it('refuses TRACE on any path, and a declared body past the limit before reading it', () => {
    expect(problemOf({ method: 'TRACE' })?.extra.headers).toEqual({ Allow: 'GET, HEAD' });
    expect(problemOf({ method: 'TRACE', url: '/nowhere' })?.extra.headers).toEqual({ Allow: '' });
    expect(refusal({ method: 'POST', url: '/api/cart', rawHeaders: ['Host', 'a', 'Content-Length', '16384'] })).toBeNull();
    expect(refusal({ method: 'POST', url: '/api/cart', rawHeaders: ['Host', 'a', 'Content-Length', '16385'] })).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    // A GET with a body is bounded the same way.
    expect(refusal({ rawHeaders: ['Host', 'a', 'Content-Length', '20000'] })).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('wrong several ways at once, answers as nginx does: the request line, then Host, then TRACE, then the body, then the decoding at the instance, target, fields and path', () => {
    const long = `/api/products?q=${'a'.repeat(REQUEST_LIMITS.targetBytes)}`;
    const many = fields(REQUEST_LIMITS.headerFields + 50);
    expect(refusal({ url: '*', rawHeaders: [] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ url: long, rawHeaders: [...many, 'Host', 'again'] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ url: long, rawHeaders: [] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ method: 'TRACE', url: long, rawHeaders: ['Host', 'a', 'Content-Length', '20000'] })).toEqual({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(refusal({ url: long, rawHeaders: ['Host', 'a', 'Content-Length', '20000'] })).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    // A NUL or a climb above the root is refused with the request line, before Host.
    expect(refusal({ url: '/api/products/kb-001%00', rawHeaders: [] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ url: '/api/products/%2e%2e/%2E%2E/..', rawHeaders: ['Host', 'a', 'Content-Length', '20000'] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    // The instance's router decodes the path before its own bounds are checked.
    expect(refusal({ url: `/%ff${long}`, rawHeaders: many })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ url: `${long}/%0a/`, rawHeaders: many })).toEqual({ status: 414, code: 'URI_TOO_LONG' });
    expect(refusal({ url: '/%0a/', rawHeaders: many })).toEqual({ status: 431, code: 'HEADERS_TOO_LARGE' });
    expect(refusal({ method: 'POST', url: '/API/%ff/' })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ method: 'POST', url: '/API/' })).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });
});

describe('a Host value', () => {
  it('is taken as nginx takes it: a name or an address, a port or anything after the colon; not empty, no `..`, `/`, space or control character', () => {
    for (const accepted of ['shop.test', 'SHOP.test:8443', '127.0.0.1:80', '[::1]:443', '[::1]', 'shop.test.', 'a:b:c', 'localhost']) {
      expect(hostAcceptable(accepted), accepted).toBe(true);
    }
    for (const refused of ['', '.', ':80', 'a..b', 'a/b', 'a\\b', 'a b', 'a\tb', 'a\u007fb']) {
      expect(hostAcceptable(refused), JSON.stringify(refused)).toBe(false);
    }
  });
});

describe("the answer to a head Node's parser gave up on at the head limit", () => {
  const statusOf = (raw: string) => clientErrorResponse({ code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from(raw) }, 'req-3').split('\r\n')[0];
  it('is a 414 when the request line has no end within the limit, else a 400 for a bad Host read before the overflow, else a 431', () => {
    expect(statusOf(`GET /${'a'.repeat(REQUEST_LIMITS.headBytes + 10)} HTTP/1.1\r\nHost: x\r\n`)).toMatch(/^HTTP\/1\.1 414 /);
    expect(statusOf(`GET /${'a'.repeat(REQUEST_LIMITS.headBytes + 100)}`)).toMatch(/^HTTP\/1\.1 414 /);
    // A line past the target bound but within the head limit: the headers overflowed, as nginx says.
    expect(statusOf(`GET /${'a'.repeat(REQUEST_LIMITS.targetBytes + 100)} HTTP/1.1\r\nHost: x\r\nX-Long: ${'b'.repeat(REQUEST_LIMITS.headBytes)}`)).toMatch(/^HTTP\/1\.1 431 /);
    expect(statusOf(`GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\nX-Long: ${'b'.repeat(REQUEST_LIMITS.headBytes)}`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(statusOf(`GET / HTTP/1.1\r\nHost: \r\nX-Long: ${'b'.repeat(REQUEST_LIMITS.headBytes)}`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(statusOf(`OPTIONS * HTTP/1.1\r\nHost: x\r\nX-Long: ${'b'.repeat(REQUEST_LIMITS.headBytes)}`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(statusOf(`GET http://x/a HTTP/1.1\r\nHost: x\r\nX-Long: ${'b'.repeat(REQUEST_LIMITS.headBytes)}`)).toMatch(/^HTTP\/1\.1 431 /);
    // A Host after the overflow was never read, by nginx either.
    expect(statusOf(`GET / HTTP/1.1\r\nX-Long: ${'b'.repeat(REQUEST_LIMITS.headBytes)}\r\nHost: \r\n`)).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('and CONNECT is a 400 problem, naming nothing of the request', () => {
    const raw = connectResponse('req-4');
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 400 Malformed request');
    expect(JSON.parse(raw.split('\r\n\r\n')[1] ?? '')).toEqual(expect.objectContaining({ status: 400, code: 'MALFORMED_REQUEST', requestId: 'req-4' }));
  });
});

describe('originForm', () => {
  it('drops the scheme and authority of an absolute-form target, and leaves an origin-form one as it is', () => {
    expect(originForm('http://shop.test:8080/api/cart?x=1')).toBe('/api/cart?x=1');
    expect(originForm('HTTPS://shop.test')).toBe('/');
    expect(originForm('http://shop.test?x=1')).toBe('/?x=1');
    expect(originForm('/api/cart')).toBe('/api/cart');
    expect(originForm('//shop.test/api')).toBe('//shop.test/api');
  });
});

describe("a JSON body's media type", () => {
  it('is read as UTF-8: no charset or utf-8 in any case passes; another charset, or a header that does not parse, is a 415', () => {
    for (const accepted of [undefined, 'application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      expect(jsonCharsetProblem(accepted), String(accepted)).toBeNull();
    }
    for (const refused of ['application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset', 'application/json;;']) {
      expect(jsonCharsetProblem(refused)?.status, refused).toBe(415);
      expect(jsonCharsetProblem(refused)?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });
});
