/**
 * Sign-in attempts counted per username, so that a guesser who spreads attempts over many
 * addresses (a botnet) gets one budget against an account, not one per address; and per username
 * and client together for the clients that have signed in as it before, so that the guesser
 * cannot spend the owner's budget too. Decision 10 says why, and what happens with Redis down.
 *
 * - A client that has not signed in as this username within KNOWN_CLIENT_DAYS counts in the
 *   username's shared budget: `max` attempts a window from all such clients together.
 * - A known client (one that has) counts in a budget of its own, `max` a window for it alone:
 *   however many attempts others make against the username, its owner's usual clients sign in.
 *
 * Every attempt counts, atomically, before the password is checked, so concurrent guesses cannot
 * all slip under the limit. A success forgets the count of that username and client, and makes
 * the client known.
 */
export interface SignInAttempts {
  /**
   * Counts an attempt for this username from this client (its address as the phase sees it).
   * Returns 0 when it may go ahead, otherwise the seconds until the window that refused it ends.
   */
  attempt(username: string, client: string): Promise<number>;
  /** A successful sign-in: the client is known for the username, and its count starts again. */
  succeeded(username: string, client: string): Promise<void>;
}

/** How long a client that signed in as a username stays known for it. */
export const KNOWN_CLIENT_DAYS = 30;
export const KNOWN_CLIENT_MS = KNOWN_CLIENT_DAYS * 24 * 3600 * 1000;

/** A map whose entries expire, swept when it grows, so usernames a scanner invents cannot fill memory. */
class Expiring<V extends { endsAt: number }> {
  readonly #entries = new Map<string, V>();
  constructor(private readonly now: () => number) {}
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    return entry && entry.endsAt > this.now() ? entry : undefined;
  }
  set(key: string, value: V): void {
    if (this.#entries.size > 10_000) {
      const now = this.now();
      for (const [old, entry] of this.#entries) if (entry.endsAt <= now) this.#entries.delete(old);
    }
    this.#entries.set(key, value);
  }
  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/**
 * The counts in this process's memory: phase 1's store, and phase 2's fallback while Redis is
 * unreachable.
 */
export class MemorySignInAttempts implements SignInAttempts {
  readonly #windows: Expiring<{ count: number; endsAt: number }>;
  readonly #known: Expiring<{ endsAt: number }>;

  constructor(
    private readonly max: number,
    private readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#windows = new Expiring(now);
    this.#known = new Expiring(now);
  }

  attempt(username: string, client: string): Promise<number> {
    if (this.max === 0) return Promise.resolve(0);
    const now = this.now();
    // A known client's own budget, or the one every other client of this username shares.
    const key = this.#known.get(knownKey(username, client)) ? `client\n${username}\n${client}` : `shared\n${username}`;
    let window = this.#windows.get(key);
    if (!window) {
      window = { count: 0, endsAt: now + this.windowSeconds * 1000 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return Promise.resolve(window.count > this.max ? Math.max(1, Math.ceil((window.endsAt - now) / 1000)) : 0);
  }

  succeeded(username: string, client: string): Promise<void> {
    this.#known.set(knownKey(username, client), { endsAt: this.now() + KNOWN_CLIENT_MS });
    this.#windows.delete(`client\n${username}\n${client}`);
    return Promise.resolve();
  }
}

function knownKey(username: string, client: string): string {
  return `${username}\n${client}`;
}
