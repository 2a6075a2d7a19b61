/**
 * Exactly-once retries through a phase's HTTP stack (its adapter, its contract validation, its real
 * session store): each phase runs this suite with its own way of sending a request. A first
 * request "in flight" is made the way one really leaves it, by claiming its key in the store.
 */
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_CLAIM_STALE_MS, type SessionStore } from '../../src/sessions.ts';
import { requestFingerprint } from '../../src/operations/exactly-once.ts';

export interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type Send = (method: 'POST' | 'DELETE', path: string, options: { headers: Record<string, string>; body?: unknown }) => Promise<Sent>;

export interface RetriesUnderTest {
  send: Send;
  /** Starts a guest session; returns its cookie, CSRF token and id. */
  startSession(): Promise<{ cookie: string; csrf: string; id: string }>;
  sessions: SessionStore;
  /** Moves the app's clock forward. */
  advance(ms: number): void;
}

export function describeIdempotentRetries(name: string, make: () => Promise<RetriesUnderTest>): void {
  describe(`Idempotency-Key retries: ${name}`, () => {
    it('applies an increment once however often it is resent, and replays its answer', async () => {
      const subject = await make();
      const client = await subject.startSession();
      const headers = { cookie: client.cookie, 'x-csrf-token': client.csrf, 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' };
      const first = await subject.send('POST', '/api/stateful/counter/increment', { headers });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ value: 1 });
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const retries = await Promise.all(Array.from({ length: 5 }, () => subject.send('POST', '/api/stateful/counter/increment', { headers })));
      for (const retry of retries) {
        expect(retry.status).toBe(200);
        expect(retry.body).toEqual({ value: 1 });
        expect(retry.headers['idempotent-replayed']).toBe('true');
      }
      // The bare token names the same key as its quoted form.
      const bare = await subject.send('POST', '/api/stateful/counter/increment', { headers: { ...headers, 'idempotency-key': '8e03978e-40d5-43e8-bc93-6894a57f9324' } });
      expect(bare.body).toEqual({ value: 1 });
      const fresh = await subject.send('POST', '/api/stateful/counter/increment', { headers: { ...headers, 'idempotency-key': 'another' } });
      expect(fresh.body).toEqual({ value: 2 });
      const unkeyed = await subject.send('POST', '/api/stateful/counter/increment', { headers: { cookie: client.cookie, 'x-csrf-token': client.csrf } });
      expect(unkeyed.body).toEqual({ value: 3 });
    });

    it('refuses a key reused for another request with 422, and keeps a refusal as the answer', async () => {
      const subject = await make();
      const client = await subject.startSession();
      const headers = { cookie: client.cookie, 'x-csrf-token': client.csrf, 'idempotency-key': 'cart-1' };
      const added = await subject.send('POST', '/api/stateful/cart/items', { headers, body: { productId: 'kb-001', quantity: 2 } });
      expect(added.status).toBe(200);
      // The same body with its keys in another order is the same request.
      const again = await subject.send('POST', '/api/stateful/cart/items', { headers, body: { quantity: 2, productId: 'kb-001' } });
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(added.body);
      for (const other of [
        subject.send('POST', '/api/stateful/cart/items', { headers, body: { productId: 'kb-001', quantity: 3 } }),
        subject.send('POST', '/api/stateful/counter/increment', { headers }),
        subject.send('DELETE', '/api/stateful/cart/items/kb-001', { headers }),
      ]) {
        const refused = await other;
        expect(refused.status).toBe(422);
        expect(refused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      }
      const limited = { ...headers, 'idempotency-key': 'cart-limit' };
      const overLimit = await subject.send('POST', '/api/stateful/cart/items', { headers: limited, body: { productId: 'kb-001', quantity: 98 } });
      expect(overLimit.body).toMatchObject({ code: 'CART_LIMIT_EXCEEDED' });
      const overAgain = await subject.send('POST', '/api/stateful/cart/items', { headers: limited, body: { productId: 'kb-001', quantity: 98 } });
      expect(overAgain.status).toBe(422);
      expect(overAgain.body).toMatchObject({ code: 'CART_LIMIT_EXCEEDED' });
      // An unknown product changed nothing, so its key is free for the corrected request.
      const unknown = { ...headers, 'idempotency-key': 'cart-unknown' };
      expect((await subject.send('POST', '/api/stateful/cart/items', { headers: unknown, body: { productId: 'zz-999', quantity: 1 } })).body).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      const corrected = await subject.send('POST', '/api/stateful/cart/items', { headers: unknown, body: { productId: 'zz-999', quantity: 1 } });
      expect(corrected.body).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      const removed = await subject.send('DELETE', '/api/stateful/cart/items/kb-001', { headers: { ...headers, 'idempotency-key': 'remove-1' } });
      expect(removed.status).toBe(200);
      const removedAgain = await subject.send('DELETE', '/api/stateful/cart/items/kb-001', { headers: { ...headers, 'idempotency-key': 'remove-1' } });
      expect(removedAgain.status).toBe(200);
      expect(removedAgain.body).toEqual(removed.body);
    });

    it('answers 409 while the first request is in flight, and takes over a claim its request abandoned', async () => {
      const subject = await make();
      const client = await subject.startSession();
      const headers = { cookie: client.cookie, 'x-csrf-token': client.csrf, 'idempotency-key': 'in-flight' };
      // What a first request leaves between its claim and its change.
      const claim = await subject.sessions.claimIdempotencyKey(client.id, { key: 'in-flight', fingerprint: requestFingerprint('incrementSessionCounter', { params: {}, body: undefined }) });
      expect(claim).toEqual({ claimed: true });
      const duplicate = await subject.send('POST', '/api/stateful/counter/increment', { headers });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
      expect(duplicate.headers['retry-after']).toBe('1');
      // The instance that held it died: past the stale bound a retry runs the change, once.
      subject.advance(IDEMPOTENCY_CLAIM_STALE_MS + 1000);
      const retried = await subject.send('POST', '/api/stateful/counter/increment', { headers });
      expect(retried.status).toBe(200);
      expect(retried.body).toEqual({ value: 1 });
      expect((await subject.send('POST', '/api/stateful/counter/increment', { headers })).headers['idempotent-replayed']).toBe('true');
    });

    it('refuses a key that is not a visible ASCII string, before anything runs', async () => {
      const subject = await make();
      const client = await subject.startSession();
      for (const key of ['', 'x'.repeat(256)]) {
        const refused = await subject.send('POST', '/api/stateful/counter/increment', { headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'idempotency-key': key } });
        expect(refused.status).toBe(400);
      }
    });
  });
}
