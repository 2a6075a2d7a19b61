/**
 * The session store interface. Phase 1 keeps sessions in a Map, phase 2 puts the same interface on
 * Redis, each in its own src/sessions/session-store.ts. Every operation is one atomic step on one
 * session, so operations never
 * read a session, change it in JavaScript and write it back: that read-modify-write is how common
 * session middleware loses concurrent updates.
 */
import { randomBytes } from 'node:crypto';

export interface SessionUser {
  username: string;
  displayName: string;
}

export interface Session {
  id: string;
  user: SessionUser | null;
  csrfToken: string;
  counter: number;
  /** productId → quantity. */
  cart: Record<string, number>;
  createdAt: number;
  expiresAt: number;
}

export type CartChange =
  | { ok: true; cart: Record<string, number> }
  | { ok: false; reason: 'limit-exceeded' | 'not-in-cart' };

export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  /** A new session with a fresh random id; `carry` copies counter and cart from an old session. */
  create(user: SessionUser | null, carry?: Pick<Session, 'counter' | 'cart'>): Promise<Session>;
  /** The live session with that id, its idle expiry pushed back (sliding TTL); null if none. */
  touch(id: string): Promise<Session | null>;
  destroy(id: string): Promise<boolean>;
  /** Adds one to the counter; null when the session is gone. */
  incrementCounter(id: string): Promise<number | null>;
  /** Adds quantity to a cart line, refusing to go past `maxPerLine`; null when the session is gone. */
  addToCart(id: string, productId: string, quantity: number, maxPerLine: number): Promise<CartChange | null>;
  removeFromCart(id: string, productId: string): Promise<CartChange | null>;
  countLive(): Promise<number>;
  /** Round trip to the store, for health checks; throws when the store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const MAX_QUANTITY_PER_LINE = 99;
/** 256 random bits: unguessable, as OWASP asks of session ids (at least 64 bits of entropy). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}
