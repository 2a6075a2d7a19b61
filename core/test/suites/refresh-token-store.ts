/**
 * What every RefreshTokenStore must do: one behaviour suite, run by each phase's tests against its
 * own store on its real backend (phase 1's Map, phase 2's PostgreSQL).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenService, hashRefreshToken, type RefreshTokenRecord, type RefreshTokenStore } from '../../src/tokens.ts';

/** A record for a user the backend knows: phase 2's table references its users, loaded from phase 1's data. */
function record(familyId: string, expiresAt = Date.now() + 60_000): RefreshTokenRecord {
  return { tokenHash: hashRefreshToken(randomUUID()), familyId, user: { username: 'alice', displayName: 'Alice Liddell' }, expiresAt, rotatedAt: null, revokedAt: null };
}

export function describeRefreshTokenStore(name: string, make: () => Promise<RefreshTokenStore>): void {
  describe(`RefreshTokenStore behaviour: ${name}`, () => {
    it('finds what it stored, by hash only', async () => {
      const store = await make();
      const stored = record(randomUUID(), Date.parse('2030-01-01T00:00:00Z'));
      await store.insert(stored);
      expect(await store.find(stored.tokenHash)).toEqual(stored);
      expect(await store.find(hashRefreshToken('never issued'))).toBeNull();
    });

    it('lets exactly one of many concurrent rotations win', async () => {
      const store = await make();
      const stored = record(randomUUID());
      await store.insert(stored);
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.markRotated(stored.tokenHash, 1_000 + i)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect((await store.find(stored.tokenHash))?.rotatedAt).not.toBeNull();
      expect(await store.markRotated(stored.tokenHash, 5_000)).toBe(false);
    });

    it('revokes a whole family, and only that family, once', async () => {
      const store = await make();
      const family = randomUUID();
      const members = [record(family), record(family), record(family)];
      const other = record(randomUUID());
      for (const member of [...members, other]) await store.insert(member);
      expect(await store.revokeFamily(family, 2_000)).toBe(3);
      for (const member of members) expect((await store.find(member.tokenHash))?.revokedAt).toBe(2_000);
      expect((await store.find(other.tokenHash))?.revokedAt).toBeNull();
      expect(await store.revokeFamily(family, 3_000)).toBe(0);
    });

    it('a token presented twice at once leaves its whole family dead, the token issued in that instant included', async () => {
      const tokens = new TokenService({ secret: 'a-test-secret-that-is-at-least-32-characters', accessTtlSeconds: 60, refreshTtlSeconds: 600, store: await make() });
      for (let trial = 0; trial < 30; trial += 1) {
        const { refreshToken } = await tokens.issue({ username: 'alice', displayName: 'Alice Liddell' });
        const outcomes = await Promise.all([tokens.refresh(refreshToken), tokens.refresh(refreshToken)]);
        expect(outcomes.filter((outcome) => !outcome.ok).length, `trial ${trial}`).toBeGreaterThanOrEqual(1);
        for (const outcome of outcomes) {
          if (outcome.ok) expect((await tokens.refresh(outcome.tokens.refreshToken)).ok, `trial ${trial}: the new token still works`).toBe(false);
        }
      }
    });
  });
}
