/**
 * The stateful column's guards, as preHandlers: `withSession` finds the session the `sid` cookie
 * names (sliding its expiry) or answers 401; `withCsrf` also demands the session's CSRF token in
 * `X-CSRF-Token` on mutations (the synchronizer-token pattern).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, type Session, type SessionStore } from 'core';

export const SESSION_COOKIE = 'sid';

declare module 'fastify' {
  interface FastifyRequest {
    labSession: Session | null;
  }
}

export function currentSession(request: FastifyRequest): Session {
  if (!request.labSession) throw new Error('withSession must run before this handler');
  return request.labSession;
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function sessionGuards(store: SessionStore): { withSession: Guard; withCsrf: Guard } {
  const withSession: Guard = async (request) => {
    const sid = request.cookies[SESSION_COOKIE];
    const session = sid !== undefined && sid !== '' ? await store.touch(sid) : null;
    if (!session) throw new ProblemError(401, 'SESSION_REQUIRED', 'Start a session with POST /api/stateful/sessions; this cookie names no live session.');
    request.labSession = session;
  };
  const withCsrf: Guard = (request) => {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !sameToken(sent, currentSession(request).csrfToken)) {
      return Promise.reject(new ProblemError(403, 'CSRF_TOKEN_INVALID', 'Send the session\'s csrfToken in the X-CSRF-Token header.'));
    }
    return Promise.resolve();
  };
  return { withSession, withCsrf };
}
