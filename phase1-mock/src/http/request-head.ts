/**
 * The request's head, checked before any route by core's rules (the same as phase 2's and
 * nginx's, in nginx's order): the target's form and length, Host, TRACE, the declared body
 * length, the number of header fields, the path's encoding and trailing slash, and whether the
 * contract has the path and the method. Then two normalizations a server owes its clients.
 */
import type { RequestHandler } from 'express';
import { allowedMethods } from 'contract';
import { originForm, requestHeadProblem } from 'core';

export function checkRequestHead(bodyLimitBytes: number): RequestHandler {
  const rules = { bodyLimitBytes, allowedMethods };
  return (req, _res, next) => {
    const problem = requestHeadProblem({ method: req.method, url: req.url, httpVersion: req.httpVersion, rawHeaders: req.rawHeaders }, rules);
    if (problem) {
      next(problem);
      return;
    }
    // An absolute-form target names the same resource as its path (RFC 9112, section 3.2.2).
    // (The contract's validator reads originalUrl.)
    req.url = originForm(req.url);
    req.originalUrl = req.url;
    // HEAD is GET without the body (RFC 9110, section 9.3.2), answered wherever GET is, as Fastify
    // does in phase 2: the validator and the routes see a GET. Node decided when it made the
    // response that a HEAD's carries no body, so none is sent.
    if (req.method === 'HEAD') req.method = 'GET';
    next();
  };
}
