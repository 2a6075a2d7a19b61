/**
 * What phase 1's error handler makes of each error Express's body parser and the OpenAPI
 * validator throw: a problem with a stable code and a 4xx where the client is at fault, a 500 with
 * no details otherwise. (phase2-production/test/http/problem.test.ts is its twin.)
 */
import { describe, expect, it } from 'vitest';
import { error as validatorErrors } from 'express-openapi-validator';
import { ProblemError } from 'core';
import { toProblem } from '../../src/http/problem.ts';

const bodyParserError = (type: string, status: number) => Object.assign(new Error(type), { type, status });

describe('toProblem', () => {
  it.each([
    ['entity.parse.failed', 400, 'MALFORMED_BODY'],
    ['entity.too.large', 413, 'PAYLOAD_TOO_LARGE'],
    ['encoding.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['charset.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['request.aborted', 400, 'MALFORMED_BODY'],
    ['request.size.invalid', 400, 'MALFORMED_BODY'],
  ])('body-parser\'s %s is %i %s', (type, status, code) => {
    expect(toProblem(bodyParserError(type, status))).toMatchObject({ status, code });
  });

  it('makes a body-parser error of a type it does not know, and anything else, a bare 500', () => {
    for (const error of [bodyParserError('stream.not.readable', 500), new Error('boom'), 'a string']) {
      const problem = toProblem(error);
      expect(problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
      expect(problem.detail).not.toContain('boom');
    }
  });

  it('tells a missing body (400) from a body of the wrong type (415)', () => {
    const unsupported = new validatorErrors.UnsupportedMediaType({ path: '/api/stateless/counter', message: 'unsupported media type' });
    expect(toProblem(unsupported, { path: '/api/stateless/counter', bodySent: false })).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', detail: 'body is required' });
    expect(toProblem(unsupported, { path: '/api/stateless/counter', bodySent: true })).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('maps the validator\'s 404, 405 (with the methods allowed) and 413', () => {
    expect(toProblem(new validatorErrors.NotFound({ path: '/nowhere', message: 'not found' }))).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
    const notAllowed = toProblem(new validatorErrors.MethodNotAllowed({ path: '/api/stateless/info', message: 'method not allowed' }), { path: '/api/stateless/info', bodySent: false });
    expect(notAllowed).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(notAllowed.extra.headers?.Allow).toMatch(/GET/);
    expect(toProblem(new validatorErrors.RequestEntityTooLarge({ path: '/api/stateless/counter', message: 'too large' }))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('keeps the domain\'s own problems as they are', () => {
    expect(toProblem(new ProblemError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'wait'))).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
  });
});
