/**
 * Sessions in Redis, shared by every phase 2 instance and surviving their restarts. One hash per
 * session (`sess:<id>`), with one field per piece of state, so each change is a single atomic
 * command on one field (HINCRBY), never a read-modify-write of a serialized blob. Each operation
 * runs as one Lua script that also slides the expiry (PEXPIRE), so the check that the session
 * exists and the change happen atomically, in one round trip.
 *
 * Fields: `user` (JSON, empty for a guest), `csrf`, `counter`, `created` (ms), `c:<productId>`
 * (quantity) for each cart line, and `k:<key>` for each Idempotency-Key with `k#` listing them
 * (docs/decisions/0008-idempotency-keys.md). The session's idle TTL is the key's expiry.
 *
 * Replication to a replica is asynchronous: a primary that dies loses the writes it had not yet
 * sent. With `waitReplicas` set, each change is followed by WAIT, and the client is told it
 * succeeded only once that many replicas have it; if they do not confirm in time the answer is
 * 503 (the change may or may not survive a failover, so it is not acknowledged). Sliding the
 * expiry on a read is not waited for: losing it costs at most a shorter idle window.
 * https://redis.io/docs/latest/commands/wait/
 */
import type { Redis } from 'ioredis';
import {
  DependencyUnavailableError, IDEMPOTENCY_CLAIM_STALE_MS, IDEMPOTENCY_KEYS_PER_SESSION, newSession,
  type CartChange, type ChangeOutcome, type IdempotencyClaim, type IdempotencyKey, type IdempotencyRecord, type Session, type SessionStore, type SessionUser,
} from 'core';
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
// Idempotency keys live in the session's own hash (`k:<key>`, a JSON record), so they expire and
// are deleted with it and every change writes its record in the same script: a change and its
// record are replicated (and waited for) together. `k#` lists the keys oldest first, to forget the
// oldest past IDEMPOTENCY_KEYS_PER_SESSION. Records are built as strings: cjson would print a
// counter past 14 digits in exponent form.
const KEY_RECORDS = `
local function forget(key, field)
  local order = cjson.decode(redis.call('HGET', key, 'k#') or '[]')
  for i = #order, 1, -1 do if order[i] == field then table.remove(order, i) end end
  redis.call('HSET', key, 'k#', cjson.encode(order))
end
local function remember(key, field, record, max)
  local known = redis.call('HEXISTS', key, field) == 1
  redis.call('HSET', key, field, record)
  if known then return end
  local order = cjson.decode(redis.call('HGET', key, 'k#') or '[]')
  table.insert(order, field)
  while #order > tonumber(max) do redis.call('HDEL', key, table.remove(order, 1)) end
  redis.call('HSET', key, 'k#', cjson.encode(order))
end
local function completed(key, field, fingerprint, now, max, outcome)
  if field == '' then return end
  remember(key, field, '{"s":"d","f":' .. cjson.encode(fingerprint) .. ',"at":' .. now .. ',"o":' .. outcome .. '}', max)
end
local function cart_of(key)
  local flat = redis.call('HGETALL', key)
  local cart = {}
  for i = 1, #flat, 2 do
    if string.sub(flat[i], 1, 2) == '${CART_PREFIX}' then cart[string.sub(flat[i], 3)] = tonumber(flat[i + 1]) end
  end
  return cjson.encode({ ok = true, cart = cart })
end
`;
// Each change takes, after its own arguments, the key's field ('' for none), fingerprint, now (ms)
// and the number of keys to keep.
const INCREMENT = `${KEY_RECORDS}
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
redis.call('HINCRBY', KEYS[1], 'counter', 1)
local value = redis.call('HGET', KEYS[1], 'counter')
completed(KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], value)
return value`;
const ADD_TO_CART = `${KEY_RECORDS}
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
local outcome = '{"ok":false,"reason":"limit-exceeded"}'
if current + tonumber(ARGV[3]) <= tonumber(ARGV[4]) then
  redis.call('HINCRBY', KEYS[1], ARGV[2], ARGV[3])
  outcome = cart_of(KEYS[1])
end
completed(KEYS[1], ARGV[5], ARGV[6], ARGV[7], ARGV[8], outcome)
return outcome`;
const REMOVE_FROM_CART = `${KEY_RECORDS}
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
local outcome = '{"ok":false,"reason":"not-in-cart"}'
if redis.call('HDEL', KEYS[1], ARGV[2]) == 1 then outcome = cart_of(KEYS[1]) end
completed(KEYS[1], ARGV[3], ARGV[4], ARGV[5], ARGV[6], outcome)
return outcome`;
// Answers the key's record when it has one that is not a stale claim; otherwise claims it ('').
const CLAIM = `${KEY_RECORDS}
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
local existing = redis.call('HGET', KEYS[1], ARGV[2])
if existing then
  local record = cjson.decode(existing)
  if record.s ~= 'p' or tonumber(ARGV[4]) - record.at <= tonumber(ARGV[5]) then return existing end
end
remember(KEYS[1], ARGV[2], '{"s":"p","f":' .. cjson.encode(ARGV[3]) .. ',"at":' .. ARGV[4] .. '}', ARGV[6])
return ''`;
const RELEASE = `${KEY_RECORDS}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing or cjson.decode(existing).s ~= 'p' then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
forget(KEYS[1], ARGV[1])
return 1`;

// A whole session with its expiry, in one step: never a session without a TTL. A script rather
// than MULTI/EXEC, so a refusal (NOREPLICAS, READONLY) comes back as itself, not as EXECABORT.
const WRITE = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/** A key's field, fingerprint, the time and the bound, as each change script takes them last. */
type KeyArguments = [field: string, fingerprint: string, now: number, keep: number];

interface SessionCommands {
  sessionTouch(key: string, ttlMs: number): Promise<string[] | null>;
  sessionIncrement(key: string, ttlMs: number, ...once: KeyArguments): Promise<string | null>;
  sessionAddToCart(key: string, ttlMs: number, field: string, quantity: number, max: number, ...once: KeyArguments): Promise<string | null>;
  sessionRemoveFromCart(key: string, ttlMs: number, field: string, ...once: KeyArguments): Promise<string | null>;
  sessionClaimKey(key: string, ttlMs: number, field: string, fingerprint: string, now: number, staleMs: number, keep: number): Promise<string | null>;
  sessionReleaseKey(key: string, field: string): Promise<number>;
  sessionWrite(key: string, ttlMs: number, ...fieldsAndValues: (string | number)[]): Promise<number>;
}

/** A key's record as the scripts store it. */
interface StoredKeyRecord {
  s: 'p' | 'd';
  f: string;
  o?: ChangeOutcome;
}

function recordOf(json: string): IdempotencyRecord {
  const stored = JSON.parse(json) as StoredKeyRecord;
  return stored.s === 'p' ? { state: 'in-flight', fingerprint: stored.f } : { state: 'completed', fingerprint: stored.f, outcome: stored.o as ChangeOutcome };
}

function cartChangeOf(json: string | null): CartChange | null {
  return json === null ? null : (JSON.parse(json) as CartChange);
}

const KEY_FIELD_PREFIX = 'k:';

/** HGETALL's flat [field, value, field, value, …] reply as a map. */
function fieldsOf(flat: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
  return fields;
}

function cartOf(fields: Map<string, string>): Record<string, number> {
  const cart: Record<string, number> = {};
  for (const [field, value] of fields) {
    if (field.startsWith(CART_PREFIX)) cart[field.slice(CART_PREFIX.length)] = Number(value);
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
    redis.defineCommand('sessionClaimKey', { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand('sessionReleaseKey', { numberOfKeys: 1, lua: RELEASE });
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
    const fields = fieldsOf(flat);
    // Every field is written with the session (WRITE); an empty string stands for one that is not.
    const field = (name: string) => fields.get(name) ?? '';
    const userJson = field('user');
    return {
      id,
      user: userJson === '' ? null : (JSON.parse(userJson) as SessionUser),
      csrfToken: field('csrf'),
      counter: Number(field('counter')),
      cart: cartOf(fields),
      createdAt: Number(field('created')),
      expiresAt: this.#now() + this.#ttlMs,
    };
  }

  async destroy(id: string): Promise<boolean> {
    return (await this.#replicated(() => this.#redis.del(KEY_PREFIX + id))) > 0;
  }

  async incrementCounter(id: string, once?: IdempotencyKey): Promise<number | null> {
    const value = await this.#replicated(() => this.#redis.sessionIncrement(KEY_PREFIX + id, this.#ttlMs, ...this.#keyArguments(once)));
    return value === null ? null : Number(value);
  }

  async addToCart(id: string, productId: string, quantity: number, maxPerLine: number, once?: IdempotencyKey): Promise<CartChange | null> {
    return cartChangeOf(await this.#replicated(() => this.#redis.sessionAddToCart(KEY_PREFIX + id, this.#ttlMs, CART_PREFIX + productId, quantity, maxPerLine, ...this.#keyArguments(once))));
  }

  async removeFromCart(id: string, productId: string, once?: IdempotencyKey): Promise<CartChange | null> {
    return cartChangeOf(await this.#replicated(() => this.#redis.sessionRemoveFromCart(KEY_PREFIX + id, this.#ttlMs, CART_PREFIX + productId, ...this.#keyArguments(once))));
  }

  /**
   * Not waited for: a claim lost in a failover only means a concurrent duplicate is not told 409;
   * it cannot apply a change twice, because the change's own record is what a retry finds.
   */
  async claimIdempotencyKey(id: string, once: IdempotencyKey): Promise<IdempotencyClaim | null> {
    const reply = await guardRedis(() => this.#redis.sessionClaimKey(KEY_PREFIX + id, this.#ttlMs, KEY_FIELD_PREFIX + once.key, once.fingerprint, this.#now(), IDEMPOTENCY_CLAIM_STALE_MS, IDEMPOTENCY_KEYS_PER_SESSION));
    if (reply === null) return null;
    return reply === '' ? { claimed: true } : { claimed: false, record: recordOf(reply) };
  }

  async releaseIdempotencyKey(id: string, key: string): Promise<void> {
    await guardRedis(() => this.#redis.sessionReleaseKey(KEY_PREFIX + id, KEY_FIELD_PREFIX + key));
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

  #keyArguments(once: IdempotencyKey | undefined): KeyArguments {
    return once ? [KEY_FIELD_PREFIX + once.key, once.fingerprint, this.#now(), IDEMPOTENCY_KEYS_PER_SESSION] : ['', '', 0, 0];
  }

  async #write(session: Session, ttlMs: number): Promise<void> {
    const fields: (string | number)[] = ['user', session.user ? JSON.stringify(session.user) : '', 'csrf', session.csrfToken, 'counter', session.counter, 'created', session.createdAt];
    for (const [productId, quantity] of Object.entries(session.cart)) fields.push(CART_PREFIX + productId, quantity);
    await this.#replicated(() => this.#redis.sessionWrite(KEY_PREFIX + session.id, ttlMs, ...fields));
  }

}
