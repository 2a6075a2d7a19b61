/**
 * The request's head, checked before any operation by core's rules (the same as phase 1's and
 * nginx's): the target's form and length, the number of header fields, Host, the path's encoding
 * and its trailing slash. Fastify itself answers HEAD wherever GET is and accepts absolute-form
 * targets, which phase 1's twin of this file has to arrange.
 */
import type { FastifyInstance } from 'fastify';
import { requestHeadProblem } from 'core';

export function checkRequestHead(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const { method = '', url = '', httpVersion, rawHeaders } = request.raw;
    const problem = requestHeadProblem({ method, url, httpVersion, rawHeaders });
    if (problem) done(problem);
    else done();
  });
}
