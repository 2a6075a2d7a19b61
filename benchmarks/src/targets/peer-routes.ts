/**
 * What the two peer stacks answer: the stateful column's session start, counter read, increment
 * and logout, written the way their session middleware is meant to be used (read the session,
 * change the object, let the middleware save it). The paths and bodies are the contract's, so one
 * load drives the phases and the peers alike; nothing else of the contract is served.
 */
import { randomBytes } from 'node:crypto';

/** A signing secret per process: the peers' cookies need one, and nothing outlives the run. */
export const PEER_SECRET = randomBytes(32).toString('base64url');
/** The idle lifetime the phases give a session, in seconds. */
export const PEER_TTL_SECONDS = 300;

export const PATHS = {
  sessions: '/api/stateful/sessions',
  current: '/api/stateful/sessions/current',
  counter: '/api/stateful/counter',
  increment: '/api/stateful/counter/increment',
} as const;

/** What POST /api/stateful/sessions answers; the token is not checked (the peers are measured, not guarded). */
export function startedBody(): { csrfToken: string; counter: number } {
  return { csrfToken: 'not-checked', counter: 0 };
}

export const NO_SESSION = { status: 401, code: 'SESSION_REQUIRED' } as const;
