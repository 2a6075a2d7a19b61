/**
 * The stateful column's guards: `withSession` finds the session the `sid` cookie names (sliding
 * its expiry) or answers 401; `withCsrf` also demands the session's CSRF token in `X-CSRF-Token`
 * on mutations (the synchronizer-token pattern: a cross-site page can make the browser send the
 * cookie, but cannot read the token).
 */
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Session, SessionStore } from 'core';
import { ProblemError } from './problem.ts';

export const SESSION_COOKIE = 'sid';

export function currentSession(res: Response): Session {
  return res.locals.session as Session;
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sessionGuards(store: SessionStore): { withSession: RequestHandler; withCsrf: RequestHandler } {
  const withSession: RequestHandler = async (req, res, next) => {
    const sid: unknown = (req.cookies as Record<string, unknown>)[SESSION_COOKIE];
    const session = typeof sid === 'string' && sid !== '' ? await store.touch(sid) : null;
    if (!session) throw new ProblemError(401, 'SESSION_REQUIRED', 'Start a session with POST /api/stateful/sessions; this cookie names no live session.');
    res.locals.session = session;
    next();
  };
  const withCsrf: RequestHandler = (req, res, next) => {
    const sent = req.get('x-csrf-token');
    if (sent === undefined || !sameToken(sent, currentSession(res).csrfToken)) {
      throw new ProblemError(403, 'CSRF_TOKEN_INVALID', 'Send the session\'s csrfToken in the X-CSRF-Token header.');
    }
    next();
  };
  return { withSession, withCsrf };
}
