/** Core's refresh-token-store behaviour suite, against phase 1's Map. */
import { describe, expect, it } from 'vitest';
import { describeRefreshTokenStore } from 'core/test-suites';
import { MemoryRefreshTokenStore } from '../../src/auth/refresh-token-store.ts';

describeRefreshTokenStore('MemoryRefreshTokenStore (a Map)', () => Promise.resolve(new MemoryRefreshTokenStore()));

describe('MemoryRefreshTokenStore.sweep', () => {
  const user = { username: 'alice', displayName: 'Alice' };
  const record = (tokenHash: string, familyId: string, expiresAt: number) => ({ tokenHash, familyId, user, expiresAt, rotatedAt: null, revokedAt: null });

  it('drops expired tokens, and a revoked family once none of its tokens is left', async () => {
    const store = new MemoryRefreshTokenStore();
    await store.insert(record('old', 'family-a', 1_000));
    await store.insert(record('young', 'family-b', 5_000));
    await store.revokeFamily('family-a', 500);
    await store.revokeFamily('family-b', 600);
    store.sweep(2_000);
    expect(await store.find('old')).toBeNull();
    // family-b still has a live token: its revocation is kept, and a token stored later in it is born revoked.
    expect((await store.find('young'))?.revokedAt).toBe(600);
    await store.insert(record('later-b', 'family-b', 9_000));
    expect((await store.find('later-b'))?.revokedAt).toBe(600);
    // family-a's revocation went with its last token: a new family of that id starts clean.
    await store.insert(record('later-a', 'family-a', 9_000));
    expect((await store.find('later-a'))?.revokedAt).toBeNull();
  });
});
