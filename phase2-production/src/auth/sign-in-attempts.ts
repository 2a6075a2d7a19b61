/**
 * Sign-in attempts in Redis (the rate-limit database), so every instance counts against the same
 * budgets (core's SignInAttempts): one per username shared by the clients that have not signed in
 * as it, one per username and known client. Whether the client is known is read first (one GET);
 * then INCR, with the window's expiry set by the first attempt (PEXPIRE NX), in one MULTI so that
 * concurrent attempts each see their own count. A success writes the known mark with its expiry.
 *
 * With Redis unreachable, each instance counts in its own memory until Redis is back (decision 10):
 * the limit still holds, multiplied by the number of instances, and sign-in stays up. Refusing
 * every sign-in (fail closed) would take token sign-in down with the session store; counting
 * nothing (fail open) would hand a guesser the outage.
 */
import { KNOWN_CLIENT_MS, MemorySignInAttempts, type SignInAttempts } from 'core';
import { LIMITS_HASH_TAG, type RedisClient } from '../redis.ts';

/** The keys of one username (and client); the hash tag keeps them in one slot on a cluster. */
const keys = (username: string, client: string) => ({
  shared: `signin:${LIMITS_HASH_TAG}:${username}`,
  own: `signin:${LIMITS_HASH_TAG}:${username}:client:${client}`,
  known: `signin:${LIMITS_HASH_TAG}:${username}:known:${client}`,
});

export class RedisSignInAttempts implements SignInAttempts {
  readonly #fallback: MemorySignInAttempts;

  constructor(
    private readonly redis: RedisClient,
    private readonly max: number,
    private readonly windowSeconds: number,
    private readonly onFallback: (error: unknown) => void,
  ) {
    this.#fallback = new MemorySignInAttempts(max, windowSeconds);
  }

  async attempt(username: string, client: string): Promise<number> {
    if (this.max === 0) return 0;
    const { shared, own, known } = keys(username, client);
    try {
      const key = (await this.redis.exists(known)) === 1 ? own : shared;
      const replies = await this.redis.multi().incr(key).pexpire(key, this.windowSeconds * 1000, 'NX').pttl(key).exec();
      const failed = replies?.find(([error]) => error !== null)?.[0];
      if (!replies || failed) throw failed ?? new Error('the transaction was discarded');
      const count = Number(replies[0]?.[1]);
      const ttlMs = Number(replies[2]?.[1]);
      return count > this.max ? Math.max(1, Math.ceil(ttlMs / 1000)) : 0;
    } catch (error) {
      this.onFallback(error);
      return this.#fallback.attempt(username, client);
    }
  }

  async succeeded(username: string, client: string): Promise<void> {
    await this.#fallback.succeeded(username, client);
    const { own, known } = keys(username, client);
    try {
      await this.redis.multi().set(known, '1', 'PX', KNOWN_CLIENT_MS).del(own).exec();
    } catch (error) {
      // The count expires with its window; a success that cannot be written costs the user nothing
      // unless they then spend the shared budget within that window.
      this.onFallback(error);
    }
  }
}
