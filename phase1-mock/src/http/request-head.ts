/**
 * The request's head, checked before any route by core's rules (the same as phase 2's and
 * nginx's): the target's form and length, the number of header fields, Host, the path's encoding
 * and its trailing slash. Then two normalizations a server owes its clients.
 */
import type { RequestHandler } from 'express';
import { operationAt } from 'contract';
import { originForm, requestHeadProblem } from 'core';

export const checkRequestHead: RequestHandler = (req, _res, next) => {
  const problem = requestHeadProblem({ method: req.method, url: req.url, httpVersion: req.httpVersion, rawHeaders: req.rawHeaders });
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
  if (req.method === 'HEAD' && operationAt('GET', req.path)) req.method = 'GET';
  next();
};
