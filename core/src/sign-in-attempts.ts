/**
 * Sign-in attempts counted per username, whichever address they come from: the per-address limit
 * stops one client hammering, this stops a guesser who spreads attempts over many addresses (or
 * a botnet) against one account. Every attempt counts, atomically, before the password is
 * checked, so concurrent guesses cannot all slip under the limit; a successful sign-in forgets
 * the count, so only failures accumulate. Decision 10 says why, and what happens with Redis down.
 */
export interface SignInAttempts {
  /**
   * Counts an attempt for this username. Returns 0 when it may go ahead, otherwise the seconds
   * until the window that refused it ends.
   */
  attempt(username: string): Promise<number>;
  /** A successful sign-in: the username's count starts again from zero. */
  succeeded(username: string): Promise<void>;
}

/**
 * The count in this process's memory: phase 1's store, and phase 2's fallback while Redis is
 * unreachable. Entries expire with their window; the map is swept when it grows, so usernames
 * invented by a scanner cannot fill memory.
 */
export class MemorySignInAttempts implements SignInAttempts {
  readonly #windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  attempt(username: string): Promise<number> {
    if (this.max === 0) return Promise.resolve(0);
    const now = this.now();
    if (this.#windows.size > 10_000) for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key);
    let window = this.#windows.get(username);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + this.windowSeconds * 1000 };
      this.#windows.set(username, window);
    }
    window.count += 1;
    return Promise.resolve(window.count > this.max ? Math.max(1, Math.ceil((window.endsAt - now) / 1000)) : 0);
  }

  succeeded(username: string): Promise<void> {
    this.#windows.delete(username);
    return Promise.resolve();
  }
}
