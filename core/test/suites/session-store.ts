/**
 * What every SessionStore must do, whatever it keeps sessions in: one behaviour suite, run by each
 * phase's tests against its own store on its real backend (phase 1's Map, phase 2's Redis). A
 * store that passes can stand behind core's operations.
 */
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEYS_PER_SESSION, type SessionStore } from '../../src/sessions.ts';
import { SessionMovingError } from '../../src/errors.ts';

export interface SessionStoreUnderTest {
  store: SessionStore;
  /** A second store of the same kind on a backend of its own: the phase a session is handed to. */
  other: SessionStore;
  /** Empties the backend between tests, so counts start from zero. */
  reset(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` is true; fails after a generous bound (the machine may be busy). */
async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * @param make a store with the given idle TTL; called once per test.
 */
export function describeSessionStore(name: string, make: (ttlSeconds: number) => Promise<SessionStoreUnderTest>): void {
  describe(`SessionStore behaviour: ${name}`, () => {
    it('creates sessions with fresh unguessable ids and CSRF tokens, and finds them again', async () => {
      const subject = await make(300);
      await subject.reset();
      const { store } = subject;
      const a = await store.create(null);
      const b = await store.create({ username: 'alice', displayName: 'Alice' });
      expect(a.id).not.toBe(b.id);
      expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.csrfToken).not.toBe(b.csrfToken);
      expect(a).toMatchObject({ user: null, counter: 0, cart: {} });
      expect(await store.touch(b.id)).toMatchObject({ id: b.id, user: { username: 'alice', displayName: 'Alice' }, csrfToken: b.csrfToken, counter: 0, cart: {} });
      expect(await store.touch('no-such-session')).toBeNull();
      expect(await store.countLive()).toBe(2);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('carries a counter and a cart into a new session, as sign-in does', async () => {
      const { store } = await make(300);
      const session = await store.create(null, { counter: 7, cart: { 'kb-001': 2, 'ms-002': 1 } });
      expect(await store.touch(session.id)).toMatchObject({ counter: 7, cart: { 'kb-001': 2, 'ms-002': 1 } });
    });

    it('loses no increment of 100 sent at once', async () => {
      const { store } = await make(300);
      const session = await store.create(null);
      const values = await Promise.all(Array.from({ length: 100 }, () => store.incrementCounter(session.id)));
      expect(new Set(values).size).toBe(100);
      expect((await store.touch(session.id))?.counter).toBe(100);
    });

    it('keeps every cart line added at once, refuses past the per-line limit, and removes lines', async () => {
      const { store } = await make(300);
      const session = await store.create(null);
      const changes = await Promise.all(['kb-001', 'ms-002', 'kb-001', 'ms-002', 'kb-001'].map((productId) => store.addToCart(session.id, productId, 1, 99)));
      expect(changes.every((change) => change?.ok)).toBe(true);
      expect((await store.touch(session.id))?.cart).toEqual({ 'kb-001': 3, 'ms-002': 2 });
      expect(await store.addToCart(session.id, 'kb-001', 97, 99)).toEqual({ ok: false, reason: 'limit-exceeded' });
      expect(await store.addToCart(session.id, 'kb-001', 96, 99)).toEqual({ ok: true, cart: { 'kb-001': 99, 'ms-002': 2 } });
      expect(await store.removeFromCart(session.id, 'ms-002')).toEqual({ ok: true, cart: { 'kb-001': 99 } });
      expect(await store.removeFromCart(session.id, 'ms-002')).toEqual({ ok: false, reason: 'not-in-cart' });
    });

    it('answers null for every change to a session that does not exist', async () => {
      const { store } = await make(300);
      expect(await store.incrementCounter('gone')).toBeNull();
      expect(await store.addToCart('gone', 'kb-001', 1, 99)).toBeNull();
      expect(await store.removeFromCart('gone', 'kb-001')).toBeNull();
    });

    it('destroys a session once: it is gone, and a second destroy says so', async () => {
      const { store } = await make(300);
      const session = await store.create(null);
      expect(await store.destroy(session.id)).toBe(true);
      expect(await store.touch(session.id)).toBeNull();
      expect(await store.incrementCounter(session.id)).toBeNull();
      expect(await store.destroy(session.id)).toBe(false);
    });

    it('keeps an idempotency key: claimed once, in flight until its change records the outcome, then that outcome', async () => {
      const { store } = await make(300);
      const session = await store.create(null, { counter: 9_007_199_254_740_000, cart: {} });
      const once = { key: 'retry-me', fingerprint: 'increment' };
      expect(await store.claimIdempotencyKey(session.id, once)).toEqual({ claimed: true });
      expect(await store.claimIdempotencyKey(session.id, once)).toEqual({ claimed: false, record: { state: 'in-flight', fingerprint: 'increment' } });
      // Past 14 digits, as a JSON encoder with limited precision would print it wrong.
      expect(await store.incrementCounter(session.id, once)).toBe(9_007_199_254_740_001);
      expect(await store.claimIdempotencyKey(session.id, { key: 'retry-me', fingerprint: 'other' })).toEqual({
        claimed: false,
        record: { state: 'completed', fingerprint: 'increment', outcome: 9_007_199_254_740_001 },
      });
      // A completed record is not released: its change was applied.
      await store.releaseIdempotencyKey(session.id, 'retry-me');
      expect((await store.claimIdempotencyKey(session.id, once))?.claimed).toBe(false);
      expect((await store.touch(session.id))?.counter).toBe(9_007_199_254_740_001);
    });

    it('records cart outcomes, refusals included, and releases a claim whose change never ran', async () => {
      const { store } = await make(300);
      const session = await store.create(null, { counter: 0, cart: { 'kb-001': 98 } });
      const add = { key: 'add-2', fingerprint: 'add kb-001 x2' };
      expect(await store.claimIdempotencyKey(session.id, add)).toEqual({ claimed: true });
      expect(await store.addToCart(session.id, 'kb-001', 2, 99, add)).toEqual({ ok: false, reason: 'limit-exceeded' });
      expect(await store.claimIdempotencyKey(session.id, add)).toEqual({ claimed: false, record: { state: 'completed', fingerprint: add.fingerprint, outcome: { ok: false, reason: 'limit-exceeded' } } });
      const remove = { key: 'remove', fingerprint: 'remove kb-001' };
      await store.claimIdempotencyKey(session.id, remove);
      expect(await store.removeFromCart(session.id, 'kb-001', remove)).toEqual({ ok: true, cart: {} });
      expect(await store.claimIdempotencyKey(session.id, remove)).toEqual({ claimed: false, record: { state: 'completed', fingerprint: remove.fingerprint, outcome: { ok: true, cart: {} } } });
      const added = { key: 'add-1', fingerprint: 'add ms-002' };
      await store.claimIdempotencyKey(session.id, added);
      expect(await store.addToCart(session.id, 'ms-002', 1, 99, added)).toEqual({ ok: true, cart: { 'ms-002': 1 } });
      expect(await store.claimIdempotencyKey(session.id, added)).toMatchObject({ record: { outcome: { ok: true, cart: { 'ms-002': 1 } } } });

      const abandoned = { key: 'abandoned', fingerprint: 'x' };
      expect(await store.claimIdempotencyKey(session.id, abandoned)).toEqual({ claimed: true });
      await store.releaseIdempotencyKey(session.id, 'abandoned');
      expect(await store.claimIdempotencyKey(session.id, abandoned)).toEqual({ claimed: true });
    });

    it(`remembers a session's ${IDEMPOTENCY_KEYS_PER_SESSION} latest keys, forgets older ones, and drops them all with the session`, async () => {
      const { store } = await make(300);
      const session = await store.create(null);
      for (let i = 0; i <= IDEMPOTENCY_KEYS_PER_SESSION; i += 1) {
        const once = { key: `key-${i}`, fingerprint: 'increment' };
        await store.claimIdempotencyKey(session.id, once);
        await store.incrementCounter(session.id, once);
      }
      expect(await store.claimIdempotencyKey(session.id, { key: 'key-1', fingerprint: 'increment' })).toMatchObject({ claimed: false, record: { outcome: 2 } });
      expect(await store.claimIdempotencyKey(session.id, { key: 'key-0', fingerprint: 'increment' })).toEqual({ claimed: true });
      expect(await store.touch(session.id)).toMatchObject({ counter: IDEMPOTENCY_KEYS_PER_SESSION + 1, cart: {} });
      await store.destroy(session.id);
      expect(await store.claimIdempotencyKey(session.id, { key: 'key-5', fingerprint: 'increment' })).toBeNull();
      expect(await store.incrementCounter(session.id, { key: 'key-5', fingerprint: 'increment' })).toBeNull();
    });

    it('slides the idle expiry on use, and ends a session left idle', async () => {
      const ttlMs = 2000;
      const { store } = await make(ttlMs / 1000);
      const idle = await store.create(null);
      // Used often for three TTLs, it must stay alive. Only a use that came well inside the TTL
      // can be held to that: on a stalled machine a gap longer than the TTL may rightly end the
      // session, so such a round starts over with a new one rather than failing.
      let used = await store.create(null);
      let lastUse = Date.now();
      let aliveSince = lastUse;
      const deadline = Date.now() + 60_000;
      while (Date.now() - aliveSince < 3 * ttlMs) {
        if (Date.now() > deadline) throw new Error('the machine never gave three quiet TTLs in a row');
        await sleep(100);
        const gap = Date.now() - lastUse;
        const found = await store.touch(used.id);
        lastUse = Date.now();
        if (gap < ttlMs / 2) expect(found, `used after ${gap} ms of a ${ttlMs} ms TTL`).not.toBeNull();
        else if (!found) {
          used = await store.create(null);
          aliveSince = Date.now();
        }
      }
      await eventually(async () => (await store.touch(idle.id)) === null, 'the idle session ended');
    });

    // The cutover's handover (docs/decisions/0011-cutover-by-lazy-handover.md), between two stores.
    it('freezes a leased session: every operation on it is refused as moving, and nobody else gets a lease', async () => {
      const { store } = await make(300);
      const session = await store.create(null);
      const lease = await store.lease(session.id, 60_000);
      expect(lease).toMatchObject({ granted: true, handed: { session: { id: session.id, csrfToken: session.csrfToken } } });
      await expect((async () => store.touch(session.id))()).rejects.toThrow(SessionMovingError);
      await expect((async () => store.incrementCounter(session.id))()).rejects.toThrow(SessionMovingError);
      await expect((async () => store.addToCart(session.id, 'kb-001', 1, 99))()).rejects.toThrow(SessionMovingError);
      await expect((async () => store.removeFromCart(session.id, 'kb-001'))()).rejects.toThrow(SessionMovingError);
      await expect((async () => store.claimIdempotencyKey(session.id, { key: 'k', fingerprint: 'f' }))()).rejects.toThrow(SessionMovingError);
      expect(await store.lease(session.id, 60_000)).toEqual({ granted: false, reason: 'moving' });
      expect(await store.lease('no-such-session', 60_000)).toEqual({ granted: false, reason: 'unknown' });
      expect(await store.confirmHandover(session.id, 'another-lease')).toBe('lease-lost');
    });

    it('hands a session over whole, idempotency records included, and keeps a tombstone where it was', async () => {
      const subject = await make(300);
      await subject.reset();
      const { store, other } = subject;
      const session = await store.create({ username: 'alice', displayName: 'Alice' }, { counter: 2, cart: { 'kb-001': 3 } });
      const done = { key: 'done', fingerprint: 'increment' };
      await store.claimIdempotencyKey(session.id, done);
      await store.incrementCounter(session.id, done);
      await store.claimIdempotencyKey(session.id, { key: 'in-flight', fingerprint: 'increment' });

      const lease = await store.lease(session.id, 60_000);
      if (!lease.granted) throw new Error(`lease refused: ${lease.reason}`);
      expect(lease.handed.idleMs).toBeGreaterThan(250_000);
      expect(lease.handed.keys).toEqual([{ key: 'done', fingerprint: 'increment', outcome: 3 }]);
      await other.acceptPending(lease.handed);
      // A pending copy is never served, and is no reason to hand it over again.
      expect(await other.touch(session.id)).toBeNull();
      expect(await other.lease(session.id, 60_000)).toEqual({ granted: false, reason: 'moving' });

      expect(await store.confirmHandover(session.id, lease.leaseId)).toBe('moved');
      expect(await store.confirmHandover(session.id, lease.leaseId)).toBe('moved');
      expect(await store.touch(session.id)).toBeNull();
      expect(await store.lease(session.id, 60_000)).toEqual({ granted: false, reason: 'moved' });
      expect(await store.countLive()).toBe(0);

      expect(await other.activate(session.id)).toMatchObject({ id: session.id, csrfToken: session.csrfToken, user: { username: 'alice' }, counter: 3, cart: { 'kb-001': 3 } });
      expect(await other.claimIdempotencyKey(session.id, done)).toEqual({ claimed: false, record: { state: 'completed', fingerprint: 'increment', outcome: 3 } });
      expect(await other.claimIdempotencyKey(session.id, { key: 'in-flight', fingerprint: 'increment' })).toEqual({ claimed: true });
      expect(await other.incrementCounter(session.id)).toBe(4);
      expect(await other.countLive()).toBe(1);

      // And back (the rollback): the tombstone where it returns is replaced by the session.
      const back = await other.lease(session.id, 60_000);
      if (!back.granted) throw new Error(`lease refused: ${back.reason}`);
      await store.acceptPending(back.handed);
      expect(await other.confirmHandover(session.id, back.leaseId)).toBe('moved');
      expect(await store.activate(session.id)).toMatchObject({ counter: 4 });
      expect(await store.lease(session.id, 60_000)).toMatchObject({ granted: true });
    });

    it('serves a session again when its lease runs out unconfirmed, and refuses the late confirm', async () => {
      const { store } = await make(300);
      const session = await store.create(null);
      const lease = await store.lease(session.id, 300);
      if (!lease.granted) throw new Error(`lease refused: ${lease.reason}`);
      await eventually(async () => {
        try {
          return (await store.touch(session.id)) !== null;
        } catch (error) {
          if (error instanceof SessionMovingError) return false;
          throw error;
        }
      }, 'the session served again');
      expect(await store.incrementCounter(session.id)).toBe(1);
      expect(await store.confirmHandover(session.id, lease.leaseId)).toBe('lease-lost');
      expect(await store.touch(session.id)).toMatchObject({ counter: 1 });
    });

    it('activates nothing where nothing was handed over', async () => {
      const { other } = await make(300);
      expect(await other.activate('never-handed')).toBeNull();
    });
  });
}
