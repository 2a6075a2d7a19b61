/**
 * The limit on operations that check credentials or create sessions (express-rate-limit, counted
 * in this process's memory). Password guessing and session flooding go through them; reads do
 * not need one here. In phase 1 the count lives in the one process, so it is exact; several
 * instances each counting alone would let a client multiply its budget, which is why phase 2
 * counts in Redis.
 */
import { ipKeyGenerator, rateLimit, type AugmentedRequest } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { ProblemError } from './problem.ts';

export const RATE_LIMITED_OPERATIONS = new Set(['POST /api/auth/tokens', 'POST /api/auth/tokens/refresh', 'POST /api/stateful/sessions']);

export function authRateLimit(max: number, windowSeconds: number): RequestHandler {
  if (max === 0) return (_req, _res, next) => { next(); };
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit: max,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    skip: (req) => !RATE_LIMITED_OPERATIONS.has(`${req.method} ${req.path}`),
    // One budget per client and operation: exhausting sign-in does not block token refresh.
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${req.method} ${req.path}`,
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
