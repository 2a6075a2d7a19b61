/**
 * Sessions in Redis, shared by every phase 2 instance and surviving their restarts. One hash per
 * session (`sess:{<bucket>}<id>`, below), with one field per piece of state, so each change is a single atomic
 * command on one field (HINCRBY), never a read-modify-write of a serialized blob. Each operation
 * runs as one Lua script that also slides the expiry (PEXPIRE), so the check that the session
 * exists and the change happen atomically, in one round trip.
 *
 * Fields: `user` (JSON, empty for a guest), `csrf`, `counter`, `created` (ms), `c:<productId>`
 * (quantity) for each cart line, and `k:<key>` for each Idempotency-Key with `k#` listing them
 * (docs/decisions/0008-idempotency-keys.md). The session's idle TTL is the key's expiry.
 *
 * During the cutover (docs/decisions/0011-cutover-by-lazy-handover.md) a session may also carry
 * `~lease` ("<lease id> <until, ms>": handed to the other phase, frozen) or `~pending` (handed to
 * this one, not yet activated, never served); every script checks both first. Tombstones of the
 * sessions handed away are sorted sets (`handover:moved:{<bucket>}`, id → until when).
 *
 * Buckets, for a Redis Cluster, where a script may only touch keys of one hash slot: every key a
 * script takes carries the same hash tag, the session's bucket (from the first characters of its
 * id, one of 256), so a session and the tombstones beside it share a slot, and the database holds
 * one key per session plus at most 256 sets of tombstones, which countLive can leave out. The
 * buckets spread sessions over up to 256 slots, resharded a bucket at a time.
 * WAIT goes to the node that ran the write, in the same pipeline, on the same connection.
 *
 * Replication to a replica is asynchronous: a primary that dies loses the writes it had not yet
 * sent. With `waitReplicas` set, each change is followed by WAIT, and the client is told it
 * succeeded only once that many replicas have it; if they do not confirm in time the answer is
 * 503 (the change may or may not survive a failover, so it is not acknowledged). Sliding the
 * expiry on a read is not waited for: losing it costs at most a shorter idle window.
 * https://redis.io/docs/latest/commands/wait/
 */
import type { ChainableCommander, Cluster } from 'ioredis';
import {
  DependencyUnavailableError, IDEMPOTENCY_CLAIM_STALE_MS, IDEMPOTENCY_KEYS_PER_SESSION, SessionMovingError, newSession,
  type CartChange, type ChangeOutcome, type ConfirmReply, type HandedSession, type IdempotencyClaim, type IdempotencyKey, type IdempotencyRecord, type LeaseReply,
  type Session, type SessionStore, type SessionUser,
} from 'core';
import { randomUUID } from 'node:crypto';
import { LIMITS_HASH_TAG, REDIS_ROLE, guardRedis, type RedisClient } from '../redis.ts';
import { ALL_TOMBSTONES, bucketOf, sessionKey, tombstonesKey } from './keys.ts';

const CART_PREFIX = 'c:';
/** The error a script answers on a leased session; the store turns it into SessionMovingError. */
const MOVING_REPLY = 'SESSION_MOVING';

// Redis's own clock for leases (TIME), so one clock decides whether a lease still holds, whichever
// instance asks. Allowed before writes: scripts replicate their effects, not themselves.
// `gate` says whether the session may be served: 'live', 'absent' (no session, or a pending copy)
// or 'moving' (leased to the other phase). An expired lease is cleared when `clear` (a write).
const GATE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function gate(key, clear)
  local state = redis.call('HMGET', key, '~lease', '~pending')
  if state[2] then return 'absent' end
  if state[1] then
    if tonumber(string.match(state[1], '%d+$')) > now_ms() then return 'moving' end
    if clear then redis.call('HDEL', key, '~lease') end
  end
  return 'live'
end
`;
// A script's first lines: answer nothing (false) for an absent session, the error for a leased one.
const GATED = (clear: boolean) => `${GATE}
local served = gate(KEYS[1], ${String(clear)})
if served == 'moving' then return redis.error_reply('${MOVING_REPLY}') end
if served == 'absent' then return false end
`;

// PEXPIRE answers 0 when the key does not exist: the session expired or was never created.
// On a read, sliding the expiry is best effort: a primary refusing writes (min-replicas-to-write,
// no replica left to confirm them) still answers the read, as long as the session exists.
const TOUCH = `${GATED(false)}
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
const INCREMENT = `${KEY_RECORDS}${GATED(true)}
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
redis.call('HINCRBY', KEYS[1], 'counter', 1)
local value = redis.call('HGET', KEYS[1], 'counter')
completed(KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], value)
return value`;
const ADD_TO_CART = `${KEY_RECORDS}${GATED(true)}
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
local outcome = '{"ok":false,"reason":"limit-exceeded"}'
if current + tonumber(ARGV[3]) <= tonumber(ARGV[4]) then
  redis.call('HINCRBY', KEYS[1], ARGV[2], ARGV[3])
  outcome = cart_of(KEYS[1])
end
completed(KEYS[1], ARGV[5], ARGV[6], ARGV[7], ARGV[8], outcome)
return outcome`;
const REMOVE_FROM_CART = `${KEY_RECORDS}${GATED(true)}
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
local outcome = '{"ok":false,"reason":"not-in-cart"}'
if redis.call('HDEL', KEYS[1], ARGV[2]) == 1 then outcome = cart_of(KEYS[1]) end
completed(KEYS[1], ARGV[3], ARGV[4], ARGV[5], ARGV[6], outcome)
return outcome`;
// Answers the key's record when it has one that is not a stale claim; otherwise claims it ('').
const CLAIM = `${KEY_RECORDS}${GATED(true)}
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

// The handover's scripts take the session (KEYS[1]) and the tombstones (KEYS[2]).
// Holder: lease for ARGV[2] ms under lease id ARGV[1], answering the idle time left and the fields.
const LEASE = `${GATE}
local now = now_ms()
if redis.call('EXISTS', KEYS[1]) == 0 then
  local until_ms = redis.call('ZSCORE', KEYS[2], ARGV[3])
  if until_ms and tonumber(until_ms) > now then return 'moved' end
  return 'unknown'
end
if gate(KEYS[1], true) ~= 'live' then return 'moving' end
redis.call('HSET', KEYS[1], '~lease', ARGV[1] .. ' ' .. (now + tonumber(ARGV[2])))
return { redis.call('PTTL', KEYS[1]), redis.call('HGETALL', KEYS[1]) }`;
// Holder: if the lease ARGV[1] still holds, the session goes and a tombstone stays for its lifetime.
const CONFIRM = `${GATE}
local now = now_ms()
local lease = redis.call('HGET', KEYS[1], '~lease')
if not lease then
  local until_ms = redis.call('ZSCORE', KEYS[2], ARGV[2])
  if until_ms and tonumber(until_ms) > now then return 'moved' end
  return 'lease-lost'
end
local lease_id, until_ms = string.match(lease, '^(%S+) (%d+)$')
if lease_id ~= ARGV[1] or tonumber(until_ms) <= now then return 'lease-lost' end
local left = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], now + left, ARGV[2])
-- The set outlives none of its tombstones: a new set expires with this one, and an expiry is only
-- ever extended (GT).
if redis.call('ZCARD', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], left) else redis.call('PEXPIRE', KEYS[2], left, 'GT') end
return 'moved'`;
// Taker: the whole session as pending, with its idle time left (ARGV[1]); no tombstone of it here.
const ACCEPT_PENDING = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '~pending', '1', unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1`;
const ACTIVATE = `
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], '~pending')`;
// Takes every bucket's tombstones (one Redis: a script may name keys of many slots).
const COUNT_LIVE = `
local live = redis.call('DBSIZE')
for _, key in ipairs(KEYS) do live = live - redis.call('EXISTS', key) end
return live`;

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
  sessionLease(key: string, tombstones: string, leaseId: string, leaseMs: number, id: string): Promise<string | [number, string[]]>;
  sessionConfirm(key: string, tombstones: string, leaseId: string, id: string): Promise<'moved' | 'lease-lost'>;
  sessionAcceptPending(key: string, tombstones: string, idleMs: number, id: string, ...fieldsAndValues: (string | number)[]): Promise<number>;
  sessionActivate(key: string, tombstones: string, id: string): Promise<number>;
  sessionCountLive(...tombstones: string[]): Promise<number>;
}

/** The same commands queued in a pipeline: each returns the pipeline, and its reply comes from exec(). */
type Queued<Commands> = { [Name in keyof Commands]: Commands[Name] extends (...args: infer A) => unknown ? (...args: A) => SessionPipeline : never };
type SessionPipeline = ChainableCommander & Queued<SessionCommands>;

/** The writes a replica must confirm: each session script that changes something, and DEL. */
type WriteCommand = 'sessionIncrement' | 'sessionAddToCart' | 'sessionRemoveFromCart' | 'sessionWrite' | 'sessionConfirm' | 'sessionAcceptPending' | 'del';

/** A leased session's reply, SESSION_MOVING, as core's error; anything else unchanged. */
async function movingAware<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'ReplyError' && error.message.includes(MOVING_REPLY)) throw new SessionMovingError();
    throw error;
  }
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

/** A session's state from its hash's fields; every field is written with the session, an empty string standing for one that is not. */
function sessionOf(id: string, fields: Map<string, string>): Omit<Session, 'expiresAt'> {
  const field = (name: string) => fields.get(name) ?? '';
  const userJson = field('user');
  return {
    id,
    user: userJson === '' ? null : (JSON.parse(userJson) as SessionUser),
    csrfToken: field('csrf'),
    counter: Number(field('counter')),
    cart: cartOf(fields),
    createdAt: Number(field('created')),
  };
}

/** A session's state as its hash's fields and values, for HSET. */
function sessionFields(session: Omit<Session, 'expiresAt'>): (string | number)[] {
  const fields: (string | number)[] = ['user', session.user ? JSON.stringify(session.user) : '', 'csrf', session.csrfToken, 'counter', session.counter, 'created', session.createdAt];
  for (const [productId, quantity] of Object.entries(session.cart)) fields.push(CART_PREFIX + productId, quantity);
  return fields;
}

export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis' as const;
  readonly #redis: RedisClient & SessionCommands;
  readonly #cluster: boolean;
  /** The rate limits' hash slot, asked of the cluster once. */
  #limitsSlot: number | undefined;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #waitReplicas: number;
  readonly #waitTimeoutMs: number;

  constructor(redis: RedisClient, options: { ttlSeconds: number; now?: () => number; waitReplicas?: number; waitTimeoutMs?: number }) {
    redis.defineCommand('sessionTouch', { numberOfKeys: 1, lua: TOUCH });
    redis.defineCommand('sessionIncrement', { numberOfKeys: 1, lua: INCREMENT });
    redis.defineCommand('sessionAddToCart', { numberOfKeys: 1, lua: ADD_TO_CART });
    redis.defineCommand('sessionRemoveFromCart', { numberOfKeys: 1, lua: REMOVE_FROM_CART });
    redis.defineCommand('sessionClaimKey', { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand('sessionReleaseKey', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('sessionWrite', { numberOfKeys: 1, lua: WRITE });
    redis.defineCommand('sessionLease', { numberOfKeys: 2, lua: LEASE });
    redis.defineCommand('sessionConfirm', { numberOfKeys: 2, lua: CONFIRM });
    redis.defineCommand('sessionAcceptPending', { numberOfKeys: 2, lua: ACCEPT_PENDING });
    redis.defineCommand('sessionActivate', { numberOfKeys: 2, lua: ACTIVATE });
    redis.defineCommand('sessionCountLive', { numberOfKeys: ALL_TOMBSTONES.length, lua: COUNT_LIVE });
    this.#redis = redis as RedisClient & SessionCommands;
    this.#cluster = redis.isCluster;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#waitReplicas = options.waitReplicas ?? 0;
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 1000;
  }

  /**
   * Runs a write, then (when configured) waits until enough replicas have it (WAIT).
   *
   * To one Redis the WAIT is sent once the write has answered, on the same auto-pipelined
   * connection: the writes of concurrent requests go out together, and the first WAIT that a
   * replica answers covers every write before it (a group commit). A cluster has no such
   * connection for a command without a key, so there the write and its WAIT go in one pipeline,
   * which ioredis sends to the primary of the write's slot: strictly that node's replicas, at the
   * cost of a WAIT on that connection before each next write (ADR 12).
   */
  async #replicated<T>(command: WriteCommand, ...args: (string | number)[]): Promise<T> {
    if (this.#cluster) return this.#replicatedOnShard<T>(command, args);
    const client = this.#redis as unknown as Record<WriteCommand, (...commandArgs: (string | number)[]) => Promise<T>>;
    const result = await movingAware(() => guardRedis(() => client[command](...args)));
    if (this.#waitReplicas > 0) this.#confirmed(await guardRedis(() => this.#redis.wait(this.#waitReplicas, this.#waitTimeoutMs)));
    return result;
  }

  async #replicatedOnShard<T>(command: WriteCommand, args: (string | number)[]): Promise<T> {
    const pipeline = this.#redis.pipeline() as SessionPipeline;
    (pipeline as unknown as Record<WriteCommand, (...commandArgs: (string | number)[]) => SessionPipeline>)[command](...args);
    if (this.#waitReplicas > 0) pipeline.wait(this.#waitReplicas, this.#waitTimeoutMs);
    const [[writeError, result] = [new Error('the pipeline answered nothing'), null], waited] = await guardRedis(async () => (await pipeline.exec()) ?? []);
    if (writeError) {
      // A slot that moved in a failover: ask the cluster where its slots are now; the client retries.
      if (/^(MOVED|ASK) /.test(writeError.message)) (this.#redis as Cluster).refreshSlotsCache();
      await movingAware(() => guardRedis(() => Promise.reject(writeError)));
    }
    if (waited) {
      const [waitError, acknowledged] = waited as [Error | null, number];
      if (waitError) await guardRedis(() => Promise.reject(waitError));
      this.#confirmed(acknowledged);
    }
    return result as T;
  }

  /** Refuses (503: not acknowledged, it may or may not survive a failover) unless enough replicas confirmed. */
  #confirmed(acknowledged: number): void {
    if (acknowledged < this.#waitReplicas) throw new DependencyUnavailableError('redis', REDIS_ROLE, new Error(`${acknowledged} of ${this.#waitReplicas} replicas confirmed the write`));
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
    const flat = await movingAware(() => guardRedis(() => this.#redis.sessionTouch(sessionKey(id), this.#ttlMs)));
    if (!flat) return null;
    return { ...sessionOf(id, fieldsOf(flat)), expiresAt: this.#now() + this.#ttlMs };
  }

  async lease(id: string, leaseMs: number): Promise<LeaseReply> {
    const leaseId = randomUUID();
    const reply = await guardRedis(() => this.#redis.sessionLease(sessionKey(id), tombstonesKey(bucketOf(id)), leaseId, leaseMs, id));
    if (typeof reply === 'string') return { granted: false, reason: reply as 'moving' | 'moved' | 'unknown' };
    const [idleMs, flat] = reply;
    const fields = fieldsOf(flat);
    const keys: HandedSession['keys'] = [];
    for (const field of JSON.parse(fields.get('k#') ?? '[]') as string[]) {
      const record = recordOf(fields.get(field) ?? '{"s":"p"}');
      if (record.state === 'completed') keys.push({ key: field.slice(KEY_FIELD_PREFIX.length), fingerprint: record.fingerprint, outcome: record.outcome });
    }
    return { granted: true, leaseId, handed: { session: sessionOf(id, fields), idleMs, keys } };
  }

  /** Waited for (with WAIT replicas): a confirm lost in a failover would bring the session back here while the other phase serves it. */
  confirmHandover(id: string, leaseId: string): Promise<ConfirmReply> {
    return this.#replicated('sessionConfirm', sessionKey(id), tombstonesKey(bucketOf(id)), leaseId, id);
  }

  /** Waited for: once the holder confirms, this copy is the only one. */
  async acceptPending(handed: HandedSession): Promise<void> {
    const { session } = handed;
    const fields = sessionFields(session);
    const now = this.#now();
    for (const { key, fingerprint, outcome } of handed.keys) fields.push(KEY_FIELD_PREFIX + key, JSON.stringify({ s: 'd', f: fingerprint, at: now, o: outcome }));
    fields.push('k#', JSON.stringify(handed.keys.map(({ key }) => KEY_FIELD_PREFIX + key)));
    await this.#replicated('sessionAcceptPending', sessionKey(session.id), tombstonesKey(bucketOf(session.id)), handed.idleMs, session.id, ...fields);
  }

  async activate(id: string): Promise<Session | null> {
    await guardRedis(() => this.#redis.sessionActivate(sessionKey(id), tombstonesKey(bucketOf(id)), id));
    return this.touch(id);
  }

  /**
   * Every key of the session database is a session, but for the sets of tombstones. A cluster has
   * one database for everything: there, every primary's keys (DBSIZE) but the rate limits' slot and
   * the sets of tombstones, read one after the other rather than at one instant.
   */
  async countLive(): Promise<number> {
    if (!this.#cluster) return guardRedis(() => this.#redis.sessionCountLive(...ALL_TOMBSTONES));
    const cluster = this.#redis as Cluster;
    return guardRedis(async () => {
      // CRC16 of the tag, modulo 16,384.
      this.#limitsSlot ??= await cluster.cluster('KEYSLOT', LIMITS_HASH_TAG);
      const slot = this.#limitsSlot;
      const [perPrimary, tombstones] = await Promise.all([
        Promise.all(cluster.nodes('master').map(async (node) => {
          // Only the primary that serves the slot has keys in it; the others answer 0.
          const [keys, limits] = await Promise.all([node.dbsize(), node.cluster('COUNTKEYSINSLOT', slot)]);
          return keys - limits;
        })),
        Promise.all(ALL_TOMBSTONES.map((key) => cluster.exists(key))),
      ]);
      return perPrimary.reduce((sum, count) => sum + count, 0) - tombstones.reduce((sum, count) => sum + count, 0);
    });
  }

  async destroy(id: string): Promise<boolean> {
    return (await this.#replicated<number>('del', sessionKey(id))) > 0;
  }

  async incrementCounter(id: string, once?: IdempotencyKey): Promise<number | null> {
    const value = await this.#replicated<string | null>('sessionIncrement', sessionKey(id), this.#ttlMs, ...this.#keyArguments(once));
    return value === null ? null : Number(value);
  }

  async addToCart(id: string, productId: string, quantity: number, maxPerLine: number, once?: IdempotencyKey): Promise<CartChange | null> {
    return cartChangeOf(await this.#replicated<string | null>('sessionAddToCart', sessionKey(id), this.#ttlMs, CART_PREFIX + productId, quantity, maxPerLine, ...this.#keyArguments(once)));
  }

  async removeFromCart(id: string, productId: string, once?: IdempotencyKey): Promise<CartChange | null> {
    return cartChangeOf(await this.#replicated<string | null>('sessionRemoveFromCart', sessionKey(id), this.#ttlMs, CART_PREFIX + productId, ...this.#keyArguments(once)));
  }

  /**
   * Not waited for: a claim lost in a failover only means a concurrent duplicate is not told 409;
   * it cannot apply a change twice, because the change's own record is what a retry finds.
   */
  async claimIdempotencyKey(id: string, once: IdempotencyKey): Promise<IdempotencyClaim | null> {
    const reply = await movingAware(() => guardRedis(() => this.#redis.sessionClaimKey(sessionKey(id), this.#ttlMs, KEY_FIELD_PREFIX + once.key, once.fingerprint, this.#now(), IDEMPOTENCY_CLAIM_STALE_MS, IDEMPOTENCY_KEYS_PER_SESSION)));
    if (reply === null) return null;
    return reply === '' ? { claimed: true } : { claimed: false, record: recordOf(reply) };
  }

  async releaseIdempotencyKey(id: string, key: string): Promise<void> {
    await guardRedis(() => this.#redis.sessionReleaseKey(sessionKey(id), KEY_FIELD_PREFIX + key));
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
    await this.#replicated('sessionWrite', sessionKey(session.id), ttlMs, ...sessionFields(session));
  }

}
