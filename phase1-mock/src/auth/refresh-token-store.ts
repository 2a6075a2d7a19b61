/** Refresh tokens in a Map: gone on restart, like everything else in phase 1. */
import type { RefreshTokenRecord, RefreshTokenStore } from 'core';

export class MemoryRefreshTokenStore implements RefreshTokenStore {
  readonly #records = new Map<string, RefreshTokenRecord>();

  insert(record: RefreshTokenRecord): Promise<void> {
    this.#records.set(record.tokenHash, { ...record });
    return Promise.resolve();
  }

  find(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const record = this.#records.get(tokenHash);
    return Promise.resolve(record ? { ...record } : null);
  }

  markRotated(tokenHash: string, at: number): Promise<boolean> {
    const record = this.#records.get(tokenHash);
    if (!record || record.rotatedAt !== null) return Promise.resolve(false);
    record.rotatedAt = at;
    return Promise.resolve(true);
  }

  revokeFamily(familyId: string, at: number): Promise<number> {
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
  }
}
