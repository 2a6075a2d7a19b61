/** Refresh tokens in a Map: gone on restart, like everything else in phase 1. */
import type { RefreshTokenRecord, RefreshTokenStore } from 'core';

export class MemoryRefreshTokenStore implements RefreshTokenStore {
  readonly #records = new Map<string, RefreshTokenRecord>();
  /** Families revoked for reuse, and when: a token stored later in one is born revoked. */
  readonly #revokedFamilies = new Map<string, number>();

  insert(record: RefreshTokenRecord): Promise<void> {
    this.#records.set(record.tokenHash, { ...record });
    return Promise.resolve();
  }

  find(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const record = this.#records.get(tokenHash);
    if (!record) return Promise.resolve(null);
    return Promise.resolve({ ...record, revokedAt: record.revokedAt ?? this.#revokedFamilies.get(record.familyId) ?? null });
  }

  markRotated(tokenHash: string, at: number): Promise<boolean> {
    const record = this.#records.get(tokenHash);
    if (!record || record.rotatedAt !== null) return Promise.resolve(false);
    record.rotatedAt = at;
    return Promise.resolve(true);
  }

  revokeFamily(familyId: string, at: number): Promise<number> {
    if (!this.#revokedFamilies.has(familyId)) this.#revokedFamilies.set(familyId, at);
    let revoked = 0;
    for (const record of this.#records.values()) {
      if (record.familyId === familyId && record.revokedAt === null) {
        record.revokedAt = at;
        revoked += 1;
      }
    }
    return Promise.resolve(revoked);
  }

  /** Drops expired records so the Map does not grow without bound. */
  sweep(now: number): void {
    for (const [hash, record] of this.#records) if (record.expiresAt <= now) this.#records.delete(hash);
    const live = new Set([...this.#records.values()].map((record) => record.familyId));
    for (const family of this.#revokedFamilies.keys()) if (!live.has(family)) this.#revokedFamilies.delete(family);
  }
}
