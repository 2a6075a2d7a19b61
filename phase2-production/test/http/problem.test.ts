/**
 * What phase 2's error handler makes of each error Fastify and its parsers throw: a problem with
 * a stable code and a 4xx where the client is at fault, a 500 with no details otherwise.
 */
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import Fastify, { type FastifyError } from 'fastify';
import { DependencyUnavailableError, ProblemError } from 'core';
import { errorHandler, frameworkProblem, toProblem } from '../../src/http/problem.ts';

const fastifyError = (fields: Partial<FastifyError>): FastifyError => Object.assign(new Error(fields.message ?? 'x'), fields) as FastifyError;

describe('toProblem', () => {
  it.each([
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'MALFORMED_BODY'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'MALFORMED_BODY'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'MALFORMED_BODY'],
  ])('%s is %i %s', (code, status, problem) => {
    expect(toProblem(fastifyError({ code }))).toMatchObject({ status, code: problem });
  });

  it('lists each validation issue with its path, a missing property included', () => {
    const problem = toProblem(fastifyError({
      validationContext: 'body',
      validation: [
        { keyword: 'required', instancePath: '', schemaPath: '#/required', params: { missingProperty: 'password' }, message: "must have required property 'password'" },
        { keyword: 'type', instancePath: '/username', schemaPath: '#/properties/username/type', params: {}, message: 'must be string' },
      ],
    }));
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(problem.extra.errors).toEqual([
      { path: '/body/password', message: "must have required property 'password'" },
      { path: '/body/username', message: 'must be string' },
    ]);
  });

  it('keeps the domain\'s own problems, makes a JSON syntax error MALFORMED_BODY, and anything else a bare 500', () => {
    expect(toProblem(new ProblemError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'wait'))).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
    expect(toProblem(new DependencyUnavailableError('redis', 'Redis (the session store)', new Error('down')))).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    expect(toProblem(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }))).toMatchObject({ status: 400, code: 'MALFORMED_BODY' });
    const internal = toProblem(new TypeError('secret detail in a stack'));
    expect(internal).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(internal.detail).not.toContain('secret');
  });
});

describe('frameworkProblem', () => {
  /** The head a real request would have, on Node's own class. */
  const raw = (url: string, rawHeaders = ['Host', 'shop.test'], method = 'GET') => Object.assign(new IncomingMessage(new Socket()), { method, url, httpVersion: '1.1', rawHeaders });
  it('a path segment past the limit is 414, anything else the router refuses is 400, naming no instance', () => {
    expect(frameworkProblem(fastifyError({ code: 'FST_ERR_MAX_PARAM_LENGTH' }), raw('/api/products/kb-001'), 16_384)).toMatchObject({ status: 414, code: 'URI_TOO_LONG', extra: { pathRefused: true } });
    expect(frameworkProblem(fastifyError({ code: 'FST_ERR_BAD_URL' }), raw('/api/products/%ff'), 16_384)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST', extra: { pathRefused: true } });
  });

  it('but what the public entry refuses before the path comes first, as it does there: a bad Host, TRACE, a body past the limit', () => {
    expect(frameworkProblem(fastifyError({ code: 'FST_ERR_BAD_URL' }), raw('/api/products/%ff', ['Host', 'a', 'Content-Length', '20000']), 16_384)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(frameworkProblem(fastifyError({ code: 'FST_ERR_BAD_URL' }), raw('/api/products/%ff', ['Host', '']), 16_384)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(frameworkProblem(fastifyError({ code: 'FST_ERR_BAD_URL' }), raw('/api/products/%ff', ['Host', 'a'], 'TRACE'), 16_384)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
  });
});

describe('errorHandler', () => {
  it('answers an unexpected error with a bare 500 problem, and logs the error with the request id', async () => {
    const lines: string[] = [];
    const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => { lines.push(line); } } } });
    app.setErrorHandler(errorHandler);
    app.get('/boom', () => { throw new Error('the secret internals'); });
    try {
      const answer = await app.inject({ method: 'GET', url: '/boom?x=1' });
      expect(answer.statusCode).toBe(500);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.json()).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', instance: '/boom' });
      expect(answer.body).not.toContain('secret');
      const logged = lines.map((line) => JSON.parse(line) as { msg: string; reqId: string; err: { message: string } });
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ msg: 'request failed', err: { message: 'the secret internals' } });
    } finally {
      await app.close();
    }
  });

  it('names a validation issue without a context or a message as the request\'s, and invalid', () => {
    const problem = toProblem(fastifyError({ validation: [{ keyword: 'format', instancePath: '/id', schemaPath: '#/format', params: {} }] }));
    expect(problem.extra.errors).toEqual([{ path: '/request/id', message: 'is invalid' }]);
  });
});
