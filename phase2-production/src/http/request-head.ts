/**
 * The request's head, checked before any operation by core's rules (the same as phase 1's and
 * nginx's, in nginx's order): the target's form and length, Host, TRACE, the declared body
 * length, the number of header fields, the path's encoding and trailing slash, and whether the
 * contract has the path and the method. On `onRequest`, so before any body is read. Fastify
 * itself answers HEAD wherever GET is and accepts absolute-form targets, which phase 1's twin of
 * this file has to arrange.
 */
import type { FastifyInstance } from 'fastify';
import { allowedMethods } from 'contract';
import { requestHeadProblem } from 'core';

export function checkRequestHead(app: FastifyInstance, bodyLimitBytes: number): void {
  const rules = { bodyLimitBytes, allowedMethods };
  app.addHook('onRequest', (request, _reply, done) => {
    const { method = '', url = '', httpVersion, rawHeaders } = request.raw;
    const problem = requestHeadProblem({ method, url, httpVersion, rawHeaders }, rules);
    if (problem) done(problem);
    else done();
  });
}
