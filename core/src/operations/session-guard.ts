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
  // Typed as a string, but cookie-parser makes an object of a `j:{…}` value.
  const id: unknown = request.cookie(SESSION_COOKIE);
  // Not the shape of an id: no session, and neither the store nor the other phase is asked (the
  // other phase refuses such an id with 400, which was once taken for an outage: a 503 forever).
  if (!isSessionId(id)) return null;
  const session = await context.sessions.touch(id);
  return session ?? (context.handover ? takeOver(id, context.sessions, context.handover) : null);
}

/**
 * What a session id looks like: newSessionId's base64url, at most the 256 characters the handover
 * accepts. Anything else names no session.
 */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,256}$/.test(value);
}

/** A Set-Cookie that removes the session cookie (the attributes it was set with, already expired). */
export function clearedSessionCookie(request: OperationRequest, context: OperationContext): string {
  const options = sessionCookieOptions(request, context);
  return `${SESSION_COOKIE}=; Path=${options.path}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}

export async function requireSession(request: OperationRequest, context: OperationContext): Promise<Session> {
  const session = await sessionFromCookie(request, context);
  if (!session) {
    // A cookie that names no live session (expired, ended, or not an id at all) is cleared, so the
    // client does not send it again.
    const headers = request.cookie(SESSION_COOKIE) === undefined ? {} : { headers: { 'Set-Cookie': clearedSessionCookie(request, context) } };
    throw new ProblemError(401, 'SESSION_REQUIRED', 'Start a session with POST /api/stateful/sessions; this cookie names no live session.', headers);
  }
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
