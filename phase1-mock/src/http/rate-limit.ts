/**
 * The limit on operations that check credentials or create sessions (express-rate-limit, counted
 * in this process's memory). In phase 1 the count lives in the one process, so it is exact;
 * several instances each counting alone would let a client multiply its budget, which is why
 * phase 2 counts in Redis.
 */
import { ipKeyGenerator, rateLimit, type AugmentedRequest } from 'express-rate-limit';
import { Router, type RequestHandler } from 'express';
import { contractOperations } from 'contract';
import { ProblemError, RATE_LIMITED_OPERATIONS } from 'core';
import { expressPath } from './operations.ts';

/** One budget per client and operation: exhausting sign-in does not block token refresh. */
function operationRateLimit(operationId: string, max: number, windowSeconds: number): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit: max,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${operationId}`,
    handler: (req, _res, next) => {
      // Seconds until this window ends, which is when the client may try again.
      const resetAt = (req as AugmentedRequest).rateLimit?.resetTime?.getTime() ?? Date.now() + windowSeconds * 1000;
      const retryAfter = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      next(new ProblemError(429, 'RATE_LIMITED', `At most ${max} attempts per ${windowSeconds} s from one client.`, {
        headers: { 'Retry-After': String(retryAfter) },
      }));
    },
  });
}

/**
 * The limiters of core's RATE_LIMITED_OPERATIONS on their routes, mounted before the body is parsed
 * and validated (as phase 2's run on request), so malformed attempts count too. max 0: no limit.
 */
export function rateLimits(max: number, windowSeconds: number): Router {
  const router = Router();
  if (max === 0) return router;
  for (const { operationId, method, path } of contractOperations()) {
    if (RATE_LIMITED_OPERATIONS.has(operationId)) router[method](expressPath(path), operationRateLimit(operationId, max, windowSeconds));
  }
  return router;
}
