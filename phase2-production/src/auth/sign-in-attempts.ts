/**
 * Sign-in attempts per username in Redis (the rate-limit database), so every instance counts
 * against one budget per account: INCR, with the window's expiry set by the first attempt
 * (PEXPIRE NX), in one MULTI so that concurrent attempts each see their own count.
 *
 * With Redis unreachable, each instance counts in its own memory until Redis is back (decision 10):
 * the limit still holds, multiplied by the number of instances, and sign-in stays up. Refusing
 * every sign-in (fail closed) would take token sign-in down with the session store; counting
 * nothing (fail open) would hand a guesser the outage.
 */
import { MemorySignInAttempts, type SignInAttempts } from 'core';
import { LIMITS_HASH_TAG, type RedisClient } from '../redis.ts';

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

  async attempt(username: string): Promise<number> {
    if (this.max === 0) return 0;
    const key = `signin:${LIMITS_HASH_TAG}:${username}`;
    try {
      const replies = await this.redis.multi().incr(key).pexpire(key, this.windowSeconds * 1000, 'NX').pttl(key).exec();
      const failed = replies?.find(([error]) => error !== null)?.[0];
      if (!replies || failed) throw failed ?? new Error('the transaction was discarded');
      const count = Number(replies[0]?.[1]);
      const ttlMs = Number(replies[2]?.[1]);
      return count > this.max ? Math.max(1, Math.ceil(ttlMs / 1000)) : 0;
    } catch (error) {
      this.onFallback(error);
      return this.#fallback.attempt(username);
    }
  }

  async succeeded(username: string): Promise<void> {
    await this.#fallback.succeeded(username);
    try {
      await this.redis.del(`signin:${LIMITS_HASH_TAG}:${username}`);
    } catch (error) {
      // The count expires with its window; a success that cannot clear it costs the user nothing
      // unless they then fail the limit's worth of times within that window.
      this.onFallback(error);
    }
  }
}
