/**
 * The per-username sign-in limit: what every SignInAttempts store must do (phase 1's Map, phase 2's
 * Redis), and what each phase answers through its own HTTP stack, from many client addresses.
 */
import { describe, expect, it } from 'vitest';
import type { SignInAttempts } from '../../src/sign-in-attempts.ts';

export function describeSignInAttempts(name: string, make: (max: number, windowSeconds: number) => Promise<SignInAttempts>): void {
  describe(`SignInAttempts behaviour: ${name}`, () => {
    it('lets max attempts through per username, then refuses until the window ends; a success starts again', async () => {
      const attempts = await make(3, 60);
      const user = `user-${String(Math.random()).slice(2)}`;
      expect([await attempts.attempt(user), await attempts.attempt(user), await attempts.attempt(user)]).toEqual([0, 0, 0]);
      const wait = await attempts.attempt(user);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60);
      expect(await attempts.attempt(`${user}-other`)).toBe(0);
      await attempts.succeeded(user);
      expect(await attempts.attempt(user)).toBe(0);
    });

    it('counts concurrent attempts one by one: no more than max get through at once', async () => {
      const attempts = await make(10, 60);
      const user = `user-${String(Math.random()).slice(2)}`;
      const waits = await Promise.all(Array.from({ length: 40 }, () => attempts.attempt(user)));
      expect(waits.filter((wait) => wait === 0)).toHaveLength(10);
    });

    it('forgets a window once it has ended', async () => {
      const attempts = await make(1, 1);
      const user = `user-${String(Math.random()).slice(2)}`;
      expect(await attempts.attempt(user)).toBe(0);
      expect(await attempts.attempt(user)).toBeGreaterThan(0);
      const deadline = Date.now() + 10_000;
      let wait = 1;
      while (wait > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        wait = await attempts.attempt(user);
      }
      expect(wait).toBe(0);
    });

    it('does nothing with max 0', async () => {
      const attempts = await make(0, 60);
      expect(await Promise.all(Array.from({ length: 5 }, () => attempts.attempt('anyone')))).toEqual([0, 0, 0, 0, 0]);
    });
  });
}

/** One sign-in through a phase's stack, as the client with this number (each its own address). */
export type SignIn = (operation: 'issueTokens' | 'createSession', client: number, username: string, password: string) => Promise<{ status: number; code?: string; retryAfter?: string }>;

/** Run with AUTH_USER_ATTEMPTS_MAX=3. */
export function describeUserSignInLimit(name: string, make: () => Promise<SignIn>): void {
  describe(`sign-in attempts are limited per username, from any address: ${name}`, () => {
    it('refuses a username past its limit from any address, even with the right password; others sign in', async () => {
      const signIn = await make();
      for (let client = 1; client <= 3; client += 1) expect((await signIn('issueTokens', client, 'alice', 'guess')).status).toBe(401);
      const refused = await signIn('issueTokens', 4, 'alice', 'guess');
      expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      // The right password changes nothing while the limit holds, or the answer would give it away.
      expect(await signIn('issueTokens', 5, 'alice', 'wonderland')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(await signIn('createSession', 6, 'alice', 'wonderland')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect((await signIn('createSession', 7, 'bob', 'builder')).status).toBe(201);
    });

    it('forgets the failures of a user who then signs in', async () => {
      const signIn = await make();
      for (let client = 1; client <= 2; client += 1) expect((await signIn('createSession', client, 'bob', 'wrong')).status).toBe(401);
      expect((await signIn('issueTokens', 3, 'bob', 'builder')).status).toBe(200);
      for (let client = 4; client <= 6; client += 1) expect((await signIn('issueTokens', client, 'bob', 'wrong')).status).toBe(401);
    });
  });
}
