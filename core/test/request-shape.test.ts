/**
 * The rules a request's head and a JSON body's media type must meet before any operation runs,
 * on their own: each refusal, the acceptable shapes next to it, and details that echo nothing.
 * Both phases' HTTP stacks and nginx are checked against the same cases in
 * harness/test/conformance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { jsonCharsetProblem, originForm, REQUEST_LIMITS, requestHeadProblem, type RequestHead } from '../src/index.ts';

const head = (overrides: Partial<RequestHead> = {}): RequestHead => ({ method: 'GET', url: '/api/products', httpVersion: '1.1', rawHeaders: ['Host', 'shop.test'], ...overrides });
const refusal = (overrides: Partial<RequestHead>) => {
  const problem = requestHeadProblem(head(overrides));
  return problem ? { status: problem.status, code: problem.code } : null;
};

describe('a request head', () => {
  it('is acceptable in origin-form or absolute-form, with one Host, or none in HTTP/1.0, or an empty one', () => {
    expect(refusal({})).toBeNull();
    expect(refusal({ url: 'http://shop.test/api/products?page=2' })).toBeNull();
    expect(refusal({ httpVersion: '1.0', rawHeaders: [] })).toBeNull();
    expect(refusal({ rawHeaders: ['host', ''] })).toBeNull();
    expect(refusal({ url: '/' })).toBeNull();
    // The query is not the path: a slash there is data.
    expect(refusal({ url: '/api/products?next=/a/' })).toBeNull();
  });

  it('is refused for the asterisk form, a missing or second Host, and a path that does not decode or holds a control character', () => {
    expect(refusal({ method: 'OPTIONS', url: '*' })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ rawHeaders: [] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(refusal({ rawHeaders: ['Host', 'a', 'HOST', 'b'] })).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    for (const url of ['/api/products/%ff%fe', '/api/products/%E0%A4%A', '/api/products/%00', '/api/products/a%0Ab', '/api/products/%7f', 'http://shop.test/api/%zz']) {
      expect(refusal({ url }), url).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    }
  });

  it('is a 404 with a trailing slash, as paths are exact', () => {
    expect(refusal({ url: '/api/products/' })).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(refusal({ url: 'http://shop.test/api/products/?page=1' })).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it('is a 414 past the target bound and a 431 past the field count, each at the first byte or field over, naming no input', () => {
    const atBound = `/api/products/${'a'.repeat(REQUEST_LIMITS.targetBytes - '/api/products/'.length)}`;
    expect(refusal({ url: atBound })).toBeNull();
    expect(refusal({ url: `${atBound}a` })).toEqual({ status: 414, code: 'URI_TOO_LONG' });
    // Bytes, not characters: a target of multi-byte characters is measured as sent.
    expect(refusal({ url: `/${'é'.repeat(REQUEST_LIMITS.targetBytes / 2)}` })).toEqual({ status: 414, code: 'URI_TOO_LONG' });
    const fields = (count: number) => ['Host', 'shop.test', ...Array.from({ length: count - 1 }, (_, i) => [`X-F${i}`, 'v']).flat()];
    expect(refusal({ rawHeaders: fields(REQUEST_LIMITS.headerFields) })).toBeNull();
    expect(refusal({ rawHeaders: fields(REQUEST_LIMITS.headerFields + 1) })).toEqual({ status: 431, code: 'HEADERS_TOO_LARGE' });
    expect(requestHeadProblem(head({ url: `${atBound}aaaa` }))?.message).not.toContain('aaaa');
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
