/**
 * Where a session lives in Redis: its key, and the hash tag every key of its bucket carries, so
 * that in a Redis Cluster a session and its bucket's tombstones share one hash slot
 * (docs/decisions/0012-sentinel-or-cluster.md). The harness asks a cluster which slot a session is
 * on with these too.
 */
/**
 * The session's bucket, one of 256: its id's first character and the top two bits of its second
 * (ids are random base64url). 64 single characters would not do: CRC16 maps them to clustered
 * slots (one shard of three would get 22 % of the sessions, one of ten none at all); these 256
 * spread within about 15 % of even over 3 to 10 shards.
 */
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const bucketOf = (id: string) => `${id.slice(0, 1)}${Math.floor(Math.max(0, BASE64URL.indexOf(id.slice(1, 2))) / 16)}`;
export const sessionKey = (id: string) => `sess:{${bucketOf(id)}}${id}`;
export const tombstonesKey = (bucket: string) => `handover:moved:{${bucket}}`;
/** Every bucket's tombstones: what the session count leaves out. */
export const ALL_TOMBSTONES = Array.from(BASE64URL).flatMap((first) => [0, 1, 2, 3].map((quarter) => tombstonesKey(`${first}${quarter}`)));
