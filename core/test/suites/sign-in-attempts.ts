/**
 * The sign-in limits of decision 10: what every SignInAttempts store must do (phase 1's Map,
 * phase 2's Redis), and what each phase answers through its own HTTP stack, from many client
 * addresses: a budget per username shared by the clients it does not know, one per known client.
 */
import { describe, expect, it } from 'vitest';
import type { SignInAttempts } from '../../src/sign-in-attempts.ts';

export function describeSignInAttempts(name: string, make: (max: number, windowSeconds: number) => Promise<SignInAttempts>): void {
  describe(`SignInAttempts behaviour: ${name}`, () => {
    it('lets max attempts through per username from clients it does not know, together, then refuses until the window ends', async () => {
      const attempts = await make(3, 60);
      const user = `user-${String(Math.random()).slice(2)}`;
      expect([await attempts.attempt(user, '198.51.100.1'), await attempts.attempt(user, '198.51.100.2'), await attempts.attempt(user, '198.51.100.3')]).toEqual([0, 0, 0]);
      const wait = await attempts.attempt(user, '198.51.100.4');
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60);
      expect(await attempts.attempt(`${user}-other`, '198.51.100.4')).toBe(0);
    });

    it('gives a client that signed in as the username a budget of its own: the others together cannot lock it out', async () => {
      const attempts = await make(3, 60);
      const user = `user-${String(Math.random()).slice(2)}`;
      const owner = '198.51.100.10';
      expect(await attempts.attempt(user, owner)).toBe(0);
      await attempts.succeeded(user, owner);
      // Someone else spends the rest of the username's shared budget (the owner's first attempt
      // came out of it), from one address and then from others.
      for (let i = 0; i < 2; i += 1) expect(await attempts.attempt(user, '203.0.113.66')).toBe(0);
      expect(await attempts.attempt(user, '203.0.113.66')).toBeGreaterThan(0);
      expect(await attempts.attempt(user, '203.0.113.67')).toBeGreaterThan(0);
      // The owner's client still goes ahead, up to its own budget, and a success starts it again.
      expect([await attempts.attempt(user, owner), await attempts.attempt(user, owner), await attempts.attempt(user, owner)]).toEqual([0, 0, 0]);
      expect(await attempts.attempt(user, owner)).toBeGreaterThan(0);
      await attempts.succeeded(user, owner);
      expect(await attempts.attempt(user, owner)).toBe(0);
      // Known for that username only.
      expect(await attempts.attempt(`${user}-other`, owner)).toBe(0);
    });

    it('counts concurrent attempts one by one: no more than max get through at once', async () => {
      const attempts = await make(10, 60);
      const user = `user-${String(Math.random()).slice(2)}`;
      const waits = await Promise.all(Array.from({ length: 40 }, (_, i) => attempts.attempt(user, `198.51.100.${String(i)}`)));
      expect(waits.filter((wait) => wait === 0)).toHaveLength(10);
    });

    it('forgets a window once it has ended', async () => {
      const attempts = await make(1, 1);
      const user = `user-${String(Math.random()).slice(2)}`;
      expect(await attempts.attempt(user, '198.51.100.1')).toBe(0);
      expect(await attempts.attempt(user, '198.51.100.1')).toBeGreaterThan(0);
      const deadline = Date.now() + 10_000;
      let wait = 1;
      while (wait > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        wait = await attempts.attempt(user, '198.51.100.1');
      }
      expect(wait).toBe(0);
    });

    it('does nothing with max 0', async () => {
      const attempts = await make(0, 60);
      expect(await Promise.all(Array.from({ length: 5 }, () => attempts.attempt('anyone', '198.51.100.1')))).toEqual([0, 0, 0, 0, 0]);
    });
  });
}

/** One sign-in through a phase's stack, as the client with this number (each its own address). */
export type SignIn = (operation: 'issueTokens' | 'createSession', client: number, username: string, password: string) => Promise<{ status: number; code?: string; retryAfter?: string }>;

/** Run with AUTH_USER_ATTEMPTS_MAX=3, and a store the usernames below are new to. */
export function describeUserSignInLimit(name: string, make: () => Promise<SignIn>): void {
  describe(`sign-in attempts are limited per username, and per known client: ${name}`, () => {
    it('refuses a username past its limit from any address it does not know, even with the right password; others sign in', async () => {
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

    it('an attacker cannot keep a user out: from a client it signed in from before, the right password passes during the attack', async () => {
      const signIn = await make();
      expect((await signIn('createSession', 20, 'bob', 'builder')).status).toBe(201);
      // One attacker, then many addresses, spend everything bob's name has for new clients (bob's
      // own first attempt came out of it too).
      for (let i = 0; i < 2; i += 1) expect((await signIn('issueTokens', 21, 'bob', 'guess')).status).toBe(401);
      for (let client = 21; client <= 25; client += 1) expect(await signIn('issueTokens', client, 'bob', 'guess')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(await signIn('issueTokens', 26, 'bob', 'builder')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      // Bob's own client: in, by session and by token, and a typo of his is his own budget's.
      expect((await signIn('createSession', 20, 'bob', 'builder')).status).toBe(201);
      expect((await signIn('issueTokens', 20, 'bob', 'typo')).status).toBe(401);
      expect((await signIn('issueTokens', 20, 'bob', 'builder')).status).toBe(200);
    });

    it('a success forgets the failures of that client only, not the budget others spent', async () => {
      const signIn = await make();
      for (let client = 30; client <= 31; client += 1) expect((await signIn('createSession', client, 'alice', 'wrong')).status).toBe(401);
      expect((await signIn('issueTokens', 32, 'alice', 'wonderland')).status).toBe(200);
      for (let i = 0; i < 3; i += 1) expect((await signIn('issueTokens', 32, 'alice', 'wrong')).status).toBe(401);
      expect((await signIn('issueTokens', 32, 'alice', 'wrong')).status).toBe(429);
      // The shared budget still holds the three attempts before (client 32's first included).
      expect((await signIn('issueTokens', 33, 'alice', 'wrong')).status).toBe(429);
    });
  });
}
