/**
 * Sessions in a Map in this process's memory: the simplest store that works, and the reason
 * phase 1 cannot run a second instance. Another process cannot see this Map, and a restart
 * empties it. Node runs JavaScript on one thread and nothing here awaits between reading and
 * writing a session, so each operation is atomic without locks.
 */
import { newSession, type CartChange, type Session, type SessionStore, type SessionUser } from 'core';

export interface MemoryStoreOptions {
  ttlSeconds: number;
  sweepIntervalSeconds: number;
  now?: () => number;
}

export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory' as const;
  readonly #sessions = new Map<string, Session>();
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
    return Promise.resolve(this.#sessions.delete(id));
  }

  incrementCounter(id: string): Promise<number | null> {
    const session = this.#live(id);
    if (!session) return Promise.resolve(null);
    session.counter += 1;
    return Promise.resolve(session.counter);
  }

  addToCart(id: string, productId: string, quantity: number, maxPerLine: number): Promise<CartChange | null> {
    const session = this.#live(id);
    if (!session) return Promise.resolve(null);
    const next = (session.cart[productId] ?? 0) + quantity;
    if (next > maxPerLine) return Promise.resolve({ ok: false, reason: 'limit-exceeded' });
    session.cart[productId] = next;
    return Promise.resolve({ ok: true, cart: { ...session.cart } });
  }

  removeFromCart(id: string, productId: string): Promise<CartChange | null> {
    const session = this.#live(id);
    if (!session) return Promise.resolve(null);
    if (!(productId in session.cart)) return Promise.resolve({ ok: false, reason: 'not-in-cart' });
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the cart is a dictionary keyed by product id
    delete session.cart[productId];
    return Promise.resolve({ ok: true, cart: { ...session.cart } });
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
    return Promise.resolve();
  }

  /** Removes every expired session; returns how many went. */
  sweep(): number {
    const now = this.#now();
    let removed = 0;
    for (const [id, session] of this.#sessions) {
      if (session.expiresAt <= now) {
        this.#sessions.delete(id);
        removed += 1;
      }
    }
    return removed;
  }

  /** Every live session, for the migration utility that moves them into Redis. */
  exportLive(): Session[] {
    this.sweep();
    return [...this.#sessions.values()].map((session) => structuredClone(session));
  }

  #live(id: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#now();
    if (session.expiresAt <= now) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.expiresAt = now + this.#ttlMs;
    return session;
  }
}
