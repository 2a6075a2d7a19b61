/**
 * The stateful column's guards: `requireSession` finds the session the `sid` cookie names (sliding
 * its expiry) or refuses with 401; `requireCsrf` also demands the session's CSRF token in
 * `X-CSRF-Token` on mutations (the synchronizer-token pattern: a cross-site page can make the
 * browser send the cookie, but cannot read the token).
 */
import { timingSafeEqual } from 'node:crypto';
import { takeOver } from '../handover.ts';
import { ProblemError } from '../problems.ts';
import type { Session } from '../sessions.ts';
import type { CookieOptions, OperationContext, OperationRequest } from './types.ts';

export const SESSION_COOKIE = 'sid';

/** `Secure` whenever the request came over TLS, and always when COOKIE_SECURE says so. */
export function sessionCookieOptions(request: OperationRequest, context: OperationContext): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: context.cookieSecure || request.overTls, path: '/' };
}

/**
 * The live session the cookie names, if any; no error when there is none. During the cutover a
 * session this phase does not hold may be held by the other phase: it is taken over from there
 * (the first request of each moved session pays that extra round trip).
 */
export async function sessionFromCookie(request: OperationRequest, context: OperationContext): Promise<Session | null> {
  const id = request.cookie(SESSION_COOKIE);
  if (id === undefined || id === '') return null;
  const session = await context.sessions.touch(id);
  return session ?? (context.handover ? takeOver(id, context.sessions, context.handover) : null);
}

export async function requireSession(request: OperationRequest, context: OperationContext): Promise<Session> {
  const session = await sessionFromCookie(request, context);
  if (!session) throw new ProblemError(401, 'SESSION_REQUIRED', 'Start a session with POST /api/stateful/sessions; this cookie names no live session.');
  return session;
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Refuses the request unless it carries this session's CSRF token. */
export function checkCsrf(request: OperationRequest, session: Session): void {
  const sent = request.header('x-csrf-token');
  if (sent === undefined || !sameToken(sent, session.csrfToken)) {
    throw new ProblemError(403, 'CSRF_TOKEN_INVALID', "Send the session's csrfToken in the X-CSRF-Token header.");
  }
}

/** The session, once its CSRF token came with the request. */
export async function requireCsrf(request: OperationRequest, context: OperationContext): Promise<Session> {
  const session = await requireSession(request, context);
  checkCsrf(request, session);
  return session;
}

/** The session is gone between the guard and the change: it expired or was ended meanwhile. */
export function sessionEnded(): ProblemError {
  return new ProblemError(401, 'SESSION_REQUIRED', 'The session ended while this request ran.');
}
