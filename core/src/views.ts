/** How sessions and carts look on the wire, and how a new session starts: the same in both phases. */
import { MAX_QUANTITY_PER_LINE, newCsrfToken, newSessionId, type Session, type SessionUser } from './sessions.ts';
import { CartLineLimitError } from './errors.ts';

/** The contract's Session: everything but the id, which travels only in the HttpOnly cookie. */
export function sessionView(session: Session) {
  return {
    kind: session.user ? ('user' as const) : ('guest' as const),
    user: session.user,
    createdAt: new Date(session.createdAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    csrfToken: session.csrfToken,
  };
}

/** A fresh session with a new random id and CSRF token; `carry` brings a guest's state along at sign-in. */
export function newSession(user: SessionUser | null, now: number, ttlMs: number, carry?: Pick<Session, 'counter' | 'cart'>): Session {
  return {
    id: newSessionId(),
    user,
    csrfToken: newCsrfToken(),
    counter: carry?.counter ?? 0,
    cart: { ...carry?.cart },
    createdAt: now,
    expiresAt: now + ttlMs,
  };
}

/** A quoted cart's lines with repeated products merged, as the session cart keeps them; refuses lines over the limit. */
export function mergeQuoteLines(items: readonly { productId: string; quantity: number }[]): [string, number][] {
  const merged = new Map<string, number>();
  for (const { productId, quantity } of items) merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  const over = [...merged].find(([, quantity]) => quantity > MAX_QUANTITY_PER_LINE);
  if (over) throw new CartLineLimitError(over[0], MAX_QUANTITY_PER_LINE);
  return [...merged];
}
