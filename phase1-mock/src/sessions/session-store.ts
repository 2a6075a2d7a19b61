/**
 * Sessions in a Map in this process's memory: the simplest store that works, and the reason
 * phase 1 cannot run a second instance. Another process cannot see this Map, and a restart
 * empties it. Node runs JavaScript on one thread and nothing here awaits between reading and
 * writing a session, so each operation is atomic without locks.
 */
import { randomUUID } from 'node:crypto';
import {
  IDEMPOTENCY_CLAIM_STALE_MS, IDEMPOTENCY_KEYS_PER_SESSION, SessionMovingError, newSession,
  type CartChange, type ChangeOutcome, type ConfirmReply, type HandedSession, type IdempotencyClaim, type IdempotencyKey, type IdempotencyRecord, type LeaseReply,
  type Session, type SessionStore, type SessionUser,
} from 'core';

/** A key's record, with when it was claimed (to take over a claim whose request died). */
type KeyRecord = IdempotencyRecord & { claimedAt: number };

export interface MemoryStoreOptions {
  ttlSeconds: number;
  sweepIntervalSeconds: number;
  now?: () => number;
}

export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory' as const;
  readonly #sessions = new Map<string, Session>();
  /** Each session's idempotency keys, in the order they were first used; dropped with the session. */
  readonly #keys = new Map<string, Map<string, KeyRecord>>();
  // The cutover's handover (core's handover.ts): leases on sessions being handed to the other
  // phase, copies handed to this one and not yet activated, and tombstones (id → until when) of
  // sessions handed away.
  readonly #leases = new Map<string, { leaseId: string; until: number }>();
  readonly #pending = new Set<string>();
  readonly #moved = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions) {
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#now = options.now ?? Date.now;
    // Expired sessions are also dropped when read; the sweep frees the ones nobody reads again.
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalSeconds * 1000);
    this.#sweeper.unref();
  }

  create(user: SessionUser | null, carry?: Pick<Session, 'counter' | 'cart'>): Promise<Session> {
    const session = newSession(user, this.#now(), this.#ttlMs, carry);
    this.#sessions.set(session.id, session);
    return Promise.resolve(structuredClone(session));
  }

  touch(id: string): Promise<Session | null> {
    const session = this.#live(id);
    return Promise.resolve(session ? structuredClone(session) : null);
  }

  destroy(id: string): Promise<boolean> {
    const existed = this.#sessions.has(id);
    this.#forget(id);
    return Promise.resolve(existed);
  }

  incrementCounter(id: string, once?: IdempotencyKey): Promise<number | null> {
    const session = this.#live(id);
    if (!session) return Promise.resolve(null);
    session.counter += 1;
    return Promise.resolve(this.#completed(id, once, session.counter));
  }

  addToCart(id: string, productId: string, quantity: number, maxPerLine: number, once?: IdempotencyKey): Promise<CartChange | null> {
    const session = this.#live(id);
    if (!session) return Promise.resolve(null);
    // Own lines only: a product id such as `constructor` must not find Object.prototype's.
    const next = (Object.hasOwn(session.cart, productId) ? (session.cart[productId] ?? 0) : 0) + quantity;
    if (next > maxPerLine) return Promise.resolve(this.#completed(id, once, { ok: false, reason: 'limit-exceeded' }));
    session.cart[productId] = next;
    return Promise.resolve(this.#completed(id, once, { ok: true, cart: { ...session.cart } }));
  }

  removeFromCart(id: string, productId: string, once?: IdempotencyKey): Promise<CartChange | null> {
    const session = this.#live(id);
    if (!session) return Promise.resolve(null);
    if (!Object.hasOwn(session.cart, productId)) return Promise.resolve(this.#completed(id, once, { ok: false, reason: 'not-in-cart' }));
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the cart is a dictionary keyed by product id
    delete session.cart[productId];
    return Promise.resolve(this.#completed(id, once, { ok: true, cart: { ...session.cart } }));
  }

  claimIdempotencyKey(id: string, once: IdempotencyKey): Promise<IdempotencyClaim | null> {
    if (!this.#live(id)) return Promise.resolve(null);
    const now = this.#now();
    const existing = this.#keys.get(id)?.get(once.key);
    if (existing && !(existing.state === 'in-flight' && now - existing.claimedAt > IDEMPOTENCY_CLAIM_STALE_MS)) {
      const { claimedAt: _claimedAt, ...record } = existing;
      return Promise.resolve({ claimed: false, record: structuredClone(record) });
    }
    this.#remember(id, once.key, { state: 'in-flight', fingerprint: once.fingerprint, claimedAt: now });
    return Promise.resolve({ claimed: true });
  }

  releaseIdempotencyKey(id: string, key: string): Promise<void> {
    const keys = this.#keys.get(id);
    if (keys?.get(key)?.state === 'in-flight') keys.delete(key);
    return Promise.resolve();
  }

  lease(id: string, leaseMs: number): Promise<LeaseReply> {
    const now = this.#now();
    const session = this.#sessions.get(id);
    if (!session || session.expiresAt <= now) {
      const movedUntil = this.#moved.get(id);
      return Promise.resolve({ granted: false, reason: movedUntil !== undefined && movedUntil > now ? 'moved' : 'unknown' });
    }
    const lease = this.#leases.get(id);
    if (this.#pending.has(id) || (lease && lease.until > now)) return Promise.resolve({ granted: false, reason: 'moving' });
    const leaseId = randomUUID();
    this.#leases.set(id, { leaseId, until: now + leaseMs });
    const { expiresAt, ...state } = session;
    const keys: HandedSession['keys'] = [];
    for (const [key, record] of this.#keys.get(id) ?? []) {
      if (record.state === 'completed') keys.push({ key, fingerprint: record.fingerprint, outcome: structuredClone(record.outcome) });
    }
    return Promise.resolve({ granted: true, leaseId, handed: { session: structuredClone(state), idleMs: expiresAt - now, keys } });
  }

  confirmHandover(id: string, leaseId: string): Promise<ConfirmReply> {
    const now = this.#now();
    const lease = this.#leases.get(id);
    if (!lease || lease.leaseId !== leaseId || lease.until <= now) {
      const movedUntil = this.#moved.get(id);
      return Promise.resolve(!lease && movedUntil !== undefined && movedUntil > now ? 'moved' : 'lease-lost');
    }
    const session = this.#sessions.get(id);
    this.#forget(id);
    if (session) this.#moved.set(id, session.expiresAt);
    return Promise.resolve('moved');
  }

  acceptPending(handed: HandedSession): Promise<void> {
    const { id } = handed.session;
    this.#forget(id);
    this.#sessions.set(id, { ...structuredClone(handed.session), expiresAt: this.#now() + handed.idleMs });
    this.#pending.add(id);
    for (const { key, fingerprint, outcome } of handed.keys) this.#remember(id, key, { state: 'completed', fingerprint, outcome: structuredClone(outcome), claimedAt: this.#now() });
    return Promise.resolve();
  }

  activate(id: string): Promise<Session | null> {
    this.#pending.delete(id);
    this.#moved.delete(id);
    return this.touch(id);
  }

  countLive(): Promise<number> {
    this.sweep();
    return Promise.resolve(this.#sessions.size);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#sessions.clear();
    this.#keys.clear();
    this.#leases.clear();
    this.#pending.clear();
    this.#moved.clear();
    return Promise.resolve();
  }

  /** Removes every expired session; returns how many went. */
  sweep(): number {
    const now = this.#now();
    let removed = 0;
    for (const [id, session] of this.#sessions) {
      if (session.expiresAt <= now) {
        this.#forget(id);
        removed += 1;
      }
    }
    for (const [id, until] of this.#moved) if (until <= now) this.#moved.delete(id);
    return removed;
  }

  /** Every live session, for the migration utility that moves them into Redis. */
  exportLive(): Session[] {
    this.sweep();
    return [...this.#sessions.values()].map((session) => structuredClone(session));
  }

  /** The session, its expiry slid; undefined if none is served here; throws while it is leased away. */
  #live(id: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#now();
    if (session.expiresAt <= now) {
      this.#forget(id);
      return undefined;
    }
    if (this.#pending.has(id)) return undefined;
    const lease = this.#leases.get(id);
    if (lease) {
      if (lease.until > now) throw new SessionMovingError();
      // The lease ran out unconfirmed: the other phase never took the session, so it is served here again.
      this.#leases.delete(id);
    }
    session.expiresAt = now + this.#ttlMs;
    return session;
  }

  #forget(id: string): void {
    this.#sessions.delete(id);
    this.#keys.delete(id);
    this.#leases.delete(id);
    this.#pending.delete(id);
    this.#moved.delete(id);
  }

  /** Records a change's outcome under its key, in the same synchronous step as the change. */
  #completed<T extends ChangeOutcome>(id: string, once: IdempotencyKey | undefined, outcome: T): T {
    if (once) this.#remember(id, once.key, { state: 'completed', fingerprint: once.fingerprint, outcome: structuredClone(outcome), claimedAt: this.#now() });
    return outcome;
  }

  #remember(id: string, key: string, record: KeyRecord): void {
    let keys = this.#keys.get(id);
    if (!keys) this.#keys.set(id, (keys = new Map<string, KeyRecord>()));
    if (!keys.has(key)) {
      // A Map iterates in insertion order: the first key is the oldest.
      for (const oldest of keys.keys()) {
        if (keys.size < IDEMPOTENCY_KEYS_PER_SESSION) break;
        keys.delete(oldest);
      }
    }
    keys.set(key, record);
  }
}
