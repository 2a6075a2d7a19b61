/**
 * Sessions in Redis, shared by every phase 2 instance and surviving their restarts. One hash per
 * session (`sess:<id>`), with one field per piece of state, so each change is a single atomic
 * command on one field (HINCRBY), never a read-modify-write of a serialized blob. Each operation
 * runs as one Lua script that also slides the expiry (PEXPIRE), so the check that the session
 * exists and the change happen atomically, in one round trip.
 *
 * Fields: `user` (JSON, empty for a guest), `csrf`, `counter`, `created` (ms), and `c:<productId>`
 * (quantity) for each cart line. The session's idle TTL is the key's expiry.
 *
 * Replication to a replica is asynchronous: a primary that dies loses the writes it had not yet
 * sent. With `waitReplicas` set, each change is followed by WAIT, and the client is told it
 * succeeded only once that many replicas have it; if they do not confirm in time the answer is
 * 503 (the change may or may not survive a failover, so it is not acknowledged). Sliding the
 * expiry on a read is not waited for: losing it costs at most a shorter idle window.
 * https://redis.io/docs/latest/commands/wait/
 */
import type { Redis } from 'ioredis';
import { DependencyUnavailableError, newSession, type CartChange, type Session, type SessionStore, type SessionUser } from 'core';
import { REDIS_ROLE, guardRedis } from '../redis.ts';

const KEY_PREFIX = 'sess:';
const CART_PREFIX = 'c:';

// PEXPIRE answers 0 when the key does not exist: the session expired or was never created.
// On a read, sliding the expiry is best effort: a primary refusing writes (min-replicas-to-write,
// no replica left to confirm them) still answers the read, as long as the session exists.
const TOUCH = `
local slid = redis.pcall('PEXPIRE', KEYS[1], ARGV[1])
if type(slid) == 'table' and slid.err then
  if redis.call('EXISTS', KEYS[1]) == 0 then return false end
elseif slid == 0 then return false end
return redis.call('HGETALL', KEYS[1])`;
const INCREMENT = `
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('HINCRBY', KEYS[1], 'counter', 1)`;
const ADD_TO_CART = `
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
if current + tonumber(ARGV[3]) > tonumber(ARGV[4]) then return {0} end
redis.call('HINCRBY', KEYS[1], ARGV[2], ARGV[3])
return {1, redis.call('HGETALL', KEYS[1])}`;
const REMOVE_FROM_CART = `
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return {0} end
return {1, redis.call('HGETALL', KEYS[1])}`;

// A whole session with its expiry, in one step: never a session without a TTL. A script rather
// than MULTI/EXEC, so a refusal (NOREPLICAS, READONLY) comes back as itself, not as EXECABORT.
const WRITE = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

type ChangeReply = [0] | [1, string[]] | null;

interface SessionCommands {
  sessionTouch(key: string, ttlMs: number): Promise<string[] | null>;
  sessionIncrement(key: string, ttlMs: number): Promise<number | null>;
  sessionAddToCart(key: string, ttlMs: number, field: string, quantity: number, max: number): Promise<ChangeReply>;
  sessionRemoveFromCart(key: string, ttlMs: number, field: string): Promise<ChangeReply>;
  sessionWrite(key: string, ttlMs: number, ...fieldsAndValues: (string | number)[]): Promise<number>;
}

function cartOf(flat: string[]): Record<string, number> {
  const cart: Record<string, number> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i] ?? '';
    if (field.startsWith(CART_PREFIX)) cart[field.slice(CART_PREFIX.length)] = Number(flat[i + 1]);
  }
  return cart;
}

export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis' as const;
  readonly #redis: Redis & SessionCommands;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #waitReplicas: number;
  readonly #waitTimeoutMs: number;

  constructor(redis: Redis, options: { ttlSeconds: number; now?: () => number; waitReplicas?: number; waitTimeoutMs?: number }) {
    redis.defineCommand('sessionTouch', { numberOfKeys: 1, lua: TOUCH });
    redis.defineCommand('sessionIncrement', { numberOfKeys: 1, lua: INCREMENT });
    redis.defineCommand('sessionAddToCart', { numberOfKeys: 1, lua: ADD_TO_CART });
    redis.defineCommand('sessionRemoveFromCart', { numberOfKeys: 1, lua: REMOVE_FROM_CART });
    redis.defineCommand('sessionWrite', { numberOfKeys: 1, lua: WRITE });
    this.#redis = redis as Redis & SessionCommands;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#waitReplicas = options.waitReplicas ?? 0;
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 1000;
  }

  /** Runs a write, then (when configured) waits until enough replicas have it. */
  async #replicated<T>(write: () => Promise<T>): Promise<T> {
    const result = await guardRedis(write);
    if (this.#waitReplicas > 0) {
      const acknowledged = await guardRedis(() => this.#redis.wait(this.#waitReplicas, this.#waitTimeoutMs));
      if (acknowledged < this.#waitReplicas) throw new DependencyUnavailableError('redis', REDIS_ROLE, new Error(`${acknowledged} of ${this.#waitReplicas} replicas confirmed the write`));
    }
    return result;
  }

  async create(user: SessionUser | null, carry?: Pick<Session, 'counter' | 'cart'>): Promise<Session> {
    const session = newSession(user, this.#now(), this.#ttlMs, carry);
    await this.#write(session, this.#ttlMs);
    return session;
  }

  /** Writes a whole session with the given time to live: for `create` and for the migration from phase 1. */
  async restore(session: Session, ttlMs: number): Promise<void> {
    await this.#write(session, ttlMs);
  }

  async touch(id: string): Promise<Session | null> {
    const flat = await guardRedis(() => this.#redis.sessionTouch(KEY_PREFIX + id, this.#ttlMs));
    if (!flat) return null;
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
    const userJson = fields.get('user') ?? '';
    return {
      id,
      user: userJson === '' ? null : (JSON.parse(userJson) as SessionUser),
      csrfToken: fields.get('csrf') ?? '',
      counter: Number(fields.get('counter') ?? 0),
      cart: cartOf(flat),
      createdAt: Number(fields.get('created') ?? 0),
      expiresAt: this.#now() + this.#ttlMs,
    };
  }

  async destroy(id: string): Promise<boolean> {
    return (await this.#replicated(() => this.#redis.del(KEY_PREFIX + id))) > 0;
  }

  incrementCounter(id: string): Promise<number | null> {
    return this.#replicated(() => this.#redis.sessionIncrement(KEY_PREFIX + id, this.#ttlMs));
  }

  async addToCart(id: string, productId: string, quantity: number, maxPerLine: number): Promise<CartChange | null> {
    const reply = await this.#replicated(() => this.#redis.sessionAddToCart(KEY_PREFIX + id, this.#ttlMs, CART_PREFIX + productId, quantity, maxPerLine));
    if (reply === null) return null;
    return reply[0] === 1 ? { ok: true, cart: cartOf(reply[1]) } : { ok: false, reason: 'limit-exceeded' };
  }

  async removeFromCart(id: string, productId: string): Promise<CartChange | null> {
    const reply = await this.#replicated(() => this.#redis.sessionRemoveFromCart(KEY_PREFIX + id, this.#ttlMs, CART_PREFIX + productId));
    if (reply === null) return null;
    return reply[0] === 1 ? { ok: true, cart: cartOf(reply[1]) } : { ok: false, reason: 'not-in-cart' };
  }

  /** The session database holds sessions only, so its size is the number of live sessions. */
  countLive(): Promise<number> {
    return guardRedis(() => this.#redis.dbsize());
  }

  async ping(): Promise<void> {
    await guardRedis(() => this.#redis.ping());
  }

  close(): Promise<void> {
    // The client is owned by the app, which quits it once every user of it has stopped.
    return Promise.resolve();
  }

  async #write(session: Session, ttlMs: number): Promise<void> {
    const fields: (string | number)[] = ['user', session.user ? JSON.stringify(session.user) : '', 'csrf', session.csrfToken, 'counter', session.counter, 'created', session.createdAt];
    for (const [productId, quantity] of Object.entries(session.cart)) fields.push(CART_PREFIX + productId, quantity);
    await this.#replicated(() => this.#redis.sessionWrite(KEY_PREFIX + session.id, ttlMs, ...fields));
  }

}
