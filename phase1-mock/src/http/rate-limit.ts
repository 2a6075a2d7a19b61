/**
 * The limit on operations that check credentials or create sessions (express-rate-limit, counted
 * in this process's memory). Password guessing and session flooding go through them; reads do
 * not need one here. In phase 1 the count lives in the one process, so it is exact; several
 * instances each counting alone would let a client multiply its budget, which is why phase 2
 * counts in Redis.
 */
import { rateLimit } from 'express-rate-limit';
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
    handler: (_req, _res, next, options) => {
      const retryAfter = Math.max(1, Math.ceil(options.windowMs / 1000));
      next(new ProblemError(429, 'RATE_LIMITED', `At most ${options.limit} attempts per ${retryAfter} s from one client.`, {
        headers: { 'Retry-After': String(retryAfter) },
      }));
    },
  });
}
