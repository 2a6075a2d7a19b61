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

/**
 * An `Idempotency-Key` (IETF httpapi idempotency-key draft) as a store sees it: the key the client
 * chose and a fingerprint of the request it came with (operation, path parameters, body).
 */
export interface IdempotencyKey {
  key: string;
  fingerprint: string;
}

/** What a change returned: the counter's new value, or the cart change. */
export type ChangeOutcome = number | CartChange;

/** A key's record, kept with the session it was used on. */
export type IdempotencyRecord =
  | { state: 'in-flight'; fingerprint: string }
  | { state: 'completed'; fingerprint: string; outcome: ChangeOutcome };

/** Claiming a key either takes it (the caller then runs the change) or finds it taken. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; record: IdempotencyRecord };

/**
 * How many keys a session remembers, oldest forgotten first. A client retries its latest requests,
 * not its hundredth-last, and the bound keeps a session (read whole on every request) small.
 */
export const IDEMPOTENCY_KEYS_PER_SESSION = 32;
/**
 * A claim older than this is taken over: its request died between the claim and the change (the
 * instance crashed), so no change was applied and a retry may run it. Far longer than any request.
 */
export const IDEMPOTENCY_CLAIM_STALE_MS = 30_000;

/**
 * A session as the phase that holds it hands it to the other during the cutover (docs/decisions/
 * 0011-cutover-by-lazy-handover.md): its state, the idle lifetime it has left, and its completed
 * idempotency records oldest first, so a retry of a change made before the move is still answered
 * with that change's outcome after it. Claims still in flight are not handed over: the lease stops
 * their changes from running, so they will never complete.
 */
export interface HandedSession {
  session: Omit<Session, 'expiresAt'>;
  idleMs: number;
  keys: { key: string; fingerprint: string; outcome: ChangeOutcome }[];
}

/**
 * The holder's answer to "hand me this session": granted with a lease (the session is frozen until
 * the lease runs out or is confirmed), or why not: another handover holds a lease on it (`moving`),
 * it was handed over already (`moved`, a tombstone is kept for its lifetime), or it is not here.
 */
export type LeaseReply = { granted: true; leaseId: string; handed: HandedSession } | { granted: false; reason: 'moving' | 'moved' | 'unknown' };

/** The holder's answer to "I wrote it, let it go": gone from here now (`moved`), or the lease ran out first. */
export type ConfirmReply = 'moved' | 'lease-lost';

/** How long a lease freezes a session at its holder: far longer than one write to the other phase. */
export const HANDOVER_LEASE_MS = 5_000;

export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  /** A new session with a fresh random id; `carry` copies counter and cart from an old session. */
  create(user: SessionUser | null, carry?: Pick<Session, 'counter' | 'cart'>): Promise<Session>;
  /** The live session with that id, its idle expiry pushed back (sliding TTL); null if none. */
  touch(id: string): Promise<Session | null>;
  destroy(id: string): Promise<boolean>;
  /**
   * Adds one to the counter; null when the session is gone. Every change takes an optional claimed
   * key, and then records its outcome under it in the same atomic step as the change itself: a
   * change is never kept without its record, nor a record without its change.
   */
  incrementCounter(id: string, once?: IdempotencyKey): Promise<number | null>;
  /** Adds quantity to a cart line, refusing to go past `maxPerLine`; null when the session is gone. */
  addToCart(id: string, productId: string, quantity: number, maxPerLine: number, once?: IdempotencyKey): Promise<CartChange | null>;
  removeFromCart(id: string, productId: string, once?: IdempotencyKey): Promise<CartChange | null>;
  /**
   * Marks the key in flight unless the session already holds a record for it (then returns that
   * record); null when the session is gone. A stale claim (IDEMPOTENCY_CLAIM_STALE_MS) is taken over.
   */
  claimIdempotencyKey(id: string, once: IdempotencyKey): Promise<IdempotencyClaim | null>;
  /** Drops the key's claim if it is still in flight (its change was never applied); keeps a completed record. */
  releaseIdempotencyKey(id: string, key: string): Promise<void>;
  countLive(): Promise<number>;

  // The handover during the cutover. A session is in one of three states in a store: live (served),
  // leased (frozen: every operation on it throws SessionMovingError until the lease is confirmed or
  // runs out) or pending (written by the phase taking it over, never served until activated).
  /** Holder side: freezes the session for `leaseMs` and returns its state (see LeaseReply). */
  lease(id: string, leaseMs: number): Promise<LeaseReply>;
  /** Holder side: the lease's session is deleted and a tombstone kept, if the lease still holds. Idempotent. */
  confirmHandover(id: string, leaseId: string): Promise<ConfirmReply>;
  /** Taker side: writes the handed session as pending, replacing any copy and tombstone of it here. */
  acceptPending(handed: HandedSession): Promise<void>;
  /** Taker side: the pending copy becomes live and is returned (a live one is returned as it is); null if there is none. */
  activate(id: string): Promise<Session | null>;
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
