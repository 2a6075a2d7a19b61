/**
 * The request's head, checked before any operation by core's rules (the same as phase 1's and
 * nginx's, in nginx's order): the target's form and length, Host, TRACE, the declared body
 * length, the number of header fields, the path's encoding and trailing slash, and whether the
 * contract has the path and the method. On `onRequest`, so before any body is read; and from the
 * router's own refusals (problem.ts's frameworkProblem), which come before any hook. Fastify
 * itself answers HEAD wherever GET is and accepts absolute-form targets, which phase 1's twin of
 * this file has to arrange.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { allowedMethods } from 'contract';
import { requestHeadProblem, type ProblemError } from 'core';

/** Why core's rules refuse this request's head, or null. */
export function headProblemOf(raw: IncomingMessage, bodyLimitBytes: number): ProblemError | null {
  const { method = '', url = '', httpVersion, rawHeaders } = raw;
  return requestHeadProblem({ method, url, httpVersion, rawHeaders }, { bodyLimitBytes, allowedMethods });
}

export function checkRequestHead(app: FastifyInstance, bodyLimitBytes: number): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const problem = headProblemOf(request.raw, bodyLimitBytes);
    if (problem) done(problem);
    else done();
  });
}
