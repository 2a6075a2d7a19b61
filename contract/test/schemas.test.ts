/** The contract's one conversion to JSON Schema, and the response validator built on it. */
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { allowedMethods, documentedResponses, operationAt, responseKey, responseSchemas, responseValidator, toJsonSchema } from '../src/index.ts';

describe('the contract as JSON Schema', () => {
  const schemas = responseSchemas();

  it('has a schema for every documented response that has a body', () => {
    const withBody = documentedResponses().filter(({ method, path, status }) => !(method === 'DELETE' && path === '/api/stateful/sessions/current' && status === '204'));
    for (const { method, path, status } of withBody) {
      expect(Object.keys(schemas).some((key) => key.startsWith(responseKey(method, path, status, ''))), `${method} ${path} ${status}`).toBe(true);
    }
    expect(Object.keys(schemas).filter((key) => key.startsWith('DELETE /api/stateful/sessions/current 204'))).toEqual([]);
  });

  it('inlines references and turns nullable into a null type, so plain JSON Schema validators understand it', () => {
    const converted = toJsonSchema({ type: 'object', properties: { user: { type: 'string', nullable: true, description: 'x', example: 'y' } } });
    expect(converted).toEqual({ type: 'object', properties: { user: { type: ['string', 'null'] } } });
    const text = JSON.stringify(schemas);
    expect(text).not.toMatch(/"\$ref"|"nullable"|"example"/);
    const session = schemas[responseKey('GET', '/api/stateful/sessions/current', 200, 'application/json')] as object;
    const validate = new Ajv({ strict: false }).compile(session);
    expect(validate({ kind: 'guest', user: null, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T00:05:00Z', csrfToken: 'abcdefghijklmnopqrstuvwxyz012345' })).toBe(true);
    expect(validate({ kind: 'guest', user: 42, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T00:05:00Z', csrfToken: 'x' })).toBe(false);
  });

  it('validates responses by operation and status, and names what is wrong', () => {
    const validate = responseValidator();
    const product = { id: 'kb-001', name: 'Keyboard', description: 'd', category: 'c', priceCents: 4999, currency: 'EUR' };
    expect(validate('GET', '/api/products/{productId}', 200, 'application/json', product)).toEqual([]);
    expect(validate('GET', '/api/products/{productId}', 200, 'application/json; charset=utf-8', { ...product, priceCents: '49.99' })).toEqual(['/priceCents must be integer']);
    expect(validate('GET', '/api/products/{productId}', 418, 'application/json', {})).toEqual(['the contract documents no 418 for GET /api/products/{productId}']);
    expect(validate('GET', '/api/nothing', 200, 'application/json', {})).toEqual(['the contract has no GET /api/nothing']);
    expect(validate('GET', '/api/products/{productId}', 200, 'text/html', '')).toEqual(['the contract documents no text/html body for 200 of GET /api/products/{productId}']);
  });
});

describe('the methods a path takes', () => {
  it('matches templates segment by segment, adds HEAD to GET, and knows no other path', () => {
    expect(allowedMethods('/api/products')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods('/api/products/kb-001')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods('/api/stateful/sessions/current')).toEqual(['DELETE', 'GET', 'HEAD']);
    expect(allowedMethods('/api/stateful/cart/items/kb-001')).toEqual(['DELETE']);
    expect(allowedMethods('/api/products/kb-001/extra')).toEqual([]);
    expect(allowedMethods('/api/nothing-here')).toEqual([]);
  });

  it('finds the operation a method and path name, HEAD as GET, and whether it takes a body', () => {
    expect(operationAt('DELETE', '/api/stateful/cart/items/kb-001')).toMatchObject({ operationId: 'removeCartItem', body: 'none' });
    expect(operationAt('head', '/api/products')).toMatchObject({ operationId: 'listProducts' });
    expect(operationAt('POST', '/api/stateful/sessions')).toMatchObject({ operationId: 'createSession', body: 'optional' });
    expect(operationAt('POST', '/api/stateful/cart/items')).toMatchObject({ body: 'required' });
    expect(operationAt('PUT', '/api/products')).toBeUndefined();
    expect(operationAt('GET', '/api/nothing-here')).toBeUndefined();
  });
  it('converts what OpenAPI allows anywhere a schema goes: lists, literals, boolean additionalProperties, a nullable with several types', () => {
    expect(toJsonSchema({ allOf: [{ type: 'string' }, { minLength: 1, example: 'x' }] })).toEqual({ allOf: [{ type: 'string' }, { minLength: 1 }] });
    expect(toJsonSchema({ enum: ['a', 'b'], default: 'a' })).toEqual({ enum: ['a', 'b'], default: 'a' });
    expect(toJsonSchema({ type: 'object', additionalProperties: false })).toEqual({ type: 'object', additionalProperties: false });
    expect(toJsonSchema({ type: 'object', additionalProperties: { type: 'integer', description: 'count' } })).toEqual({ type: 'object', additionalProperties: { type: 'integer' } });
    // `nullable` on a schema without a single type (a oneOf) is left for the oneOf to say.
    expect(toJsonSchema({ oneOf: [{ type: 'string' }], nullable: true })).toEqual({ oneOf: [{ type: 'string' }] });
  });

  it('names the body itself as "/" when it is wrong as a whole', () => {
    const problems = responseValidator()('GET', '/api/stateless/info', 200, 'application/json', null);
    expect(problems).toEqual(['/ must be object']);
  });
});
