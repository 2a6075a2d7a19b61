/** The shared domain on its own: password hashes, cart pricing, request ids. */
import { describe, expect, it } from 'vitest';
import { CartLineLimitError, REQUEST_LIMITS, ProblemError, UnknownProductError, clientErrorResponse, hashPassword, messageOf, pathOf, problemBody, problemFromError, priceCart, requestIdFrom, verifyPassword, type Catalog, type Product } from '../src/index.ts';

describe('password hashes', () => {
  it('verifies the right password only, and tolerates malformed hashes', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[^$]+\$[^$]+$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
    expect(await verifyPassword('x', '')).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(hash);
  });
});

describe('cart pricing', () => {
  const products: Product[] = [
    { id: 'a', name: 'A', description: '', category: 'x', priceCents: 250, currency: 'EUR' },
    { id: 'b', name: 'B', description: '', category: 'x', priceCents: 1000, currency: 'EUR' },
  ];
  const catalog: Catalog = {
    list: () => Promise.reject(new Error('unused')),
    get: (id) => Promise.resolve(products.find((p) => p.id === id) ?? null),
    getMany: (ids) => Promise.resolve(new Map(products.filter((p) => ids.includes(p.id)).map((p) => [p.id, p]))),
    ping: () => Promise.resolve(),
  };

  it('prices lines in order with totals', async () => {
    expect(await priceCart(catalog, [['b', 2], ['a', 3]])).toEqual({
      items: [
        { productId: 'b', name: 'B', unitPriceCents: 1000, quantity: 2, lineTotalCents: 2000 },
        { productId: 'a', name: 'A', unitPriceCents: 250, quantity: 3, lineTotalCents: 750 },
      ],
      itemCount: 5,
      totalCents: 2750,
      currency: 'EUR',
    });
  });

  it('names every unknown product', async () => {
    const error: unknown = await priceCart(catalog, [['a', 1], ['x', 1], ['y', 2]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownProductError);
    expect((error as UnknownProductError).productIds).toEqual(['x', 'y']);
  });

  it('sets aside, in a kept cart, the lines whose product has gone', async () => {
    expect(await priceCart(catalog, [['a', 1], ['x', 4], ['b', 1]], 'set-aside')).toEqual({
      items: [
        { productId: 'a', name: 'A', unitPriceCents: 250, quantity: 1, lineTotalCents: 250 },
        { productId: 'b', name: 'B', unitPriceCents: 1000, quantity: 1, lineTotalCents: 1000 },
      ],
      itemCount: 2,
      totalCents: 1250,
      currency: 'EUR',
      unavailable: [{ productId: 'x', quantity: 4 }],
    });
  });
});

describe('the raw answer to what the HTTP parser refused', () => {
  it('is a complete problem+json response with the status the parser error calls for', () => {
    for (const [code, status, problem] of [['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'], ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'], ['HPE_INVALID_METHOD', 400, 'MALFORMED_REQUEST']] as const) {
      const raw = clientErrorResponse({ code }, 'req-1');
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(head).toContain('Content-Type: application/problem+json');
      expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
      expect(head).toContain('Connection: close');
      expect(JSON.parse(body)).toEqual(expect.objectContaining({ status, code: problem, requestId: 'req-1' }));
      expect(JSON.parse(body)).not.toHaveProperty('instance');
    }
  });

  it('is a 414 when the head overflowed within the request line itself, a 431 when in the headers, and echoes neither', () => {
    const longLine = Buffer.from(`GET /${'a'.repeat(REQUEST_LIMITS.headBytes + 10)} HTTP/1.1\r\nHost: x\r\n`);
    const longHeaders = Buffer.from(`GET /a HTTP/1.1\r\nHost: x\r\nX-Long: ${'b'.repeat(REQUEST_LIMITS.headBytes)}\r\n`);
    const unfinishedLine = Buffer.from(`GET /${'c'.repeat(REQUEST_LIMITS.headBytes + 100)}`);
    for (const [rawPacket, status] of [[longLine, 414], [unfinishedLine, 414], [longHeaders, 431], ['not a buffer', 431]] as const) {
      const raw = clientErrorResponse({ code: 'HPE_HEADER_OVERFLOW', rawPacket }, 'req-2');
      expect(raw.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(raw).not.toMatch(/aaaa|bbbb|cccc/);
    }
  });
});

describe('request ids', () => {
  it('keeps short tokens and replaces anything else', () => {
    expect(requestIdFrom('abc-123:x.y_z')).toBe('abc-123:x.y_z');
    expect(requestIdFrom('x'.repeat(129))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(['a', 'b'])).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a request target\'s path', () => {
  it('is the target up to its query, the whole target when it has none', () => {
    expect(pathOf('/api/products?page=2&q=?')).toBe('/api/products');
    expect(pathOf('/api/products')).toBe('/api/products');
    expect(pathOf('/?')).toBe('/');
  });
});

describe('what a log line says of something thrown', () => {
  it('is an Error\'s message, and anything else as a string', () => {
    expect(messageOf(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    expect(messageOf('a string thrown')).toBe('a string thrown');
    expect(messageOf(42)).toBe('42');
  });
});

describe('problems', () => {
  it('take their title as message and leave detail out of the body when none is given', () => {
    const bare = new ProblemError(401, 'SESSION_REQUIRED');
    const body = problemBody(bare.status, bare.code, '/x', 'req-1');
    expect(bare.message).toBe(body.title);
    expect(body).not.toHaveProperty('detail');
    expect(problemBody(400, 'MALFORMED_BODY', '/x', 'req-1', 'The body is not valid JSON.')).toMatchObject({ detail: 'The body is not valid JSON.' });
  });

  it('stand for the domain\'s errors: a cart line past its limit is a 422 naming the product and the limit', () => {
    expect(problemFromError(new CartLineLimitError('kb-001', 99))).toMatchObject({ status: 422, code: 'CART_LIMIT_EXCEEDED', detail: 'At most 99 of one product per cart.' });
    expect(problemFromError(new Error('anything else'))).toBeNull();
  });
});
