/**
 * The cutover's lazy handover (docs/decisions/0011-cutover-by-lazy-handover.md): a phase asked for a
 * session it does not hold asks the other phase, which holds it, to hand it over: lease, write,
 * confirm. The holder decides, so a session is never served by two phases at once; a failure at
 * any step leaves it with the holder, where it is served again once the lease runs out.
 *
 * Both phases run the same code on both sides: `takeOver` where the user's request arrived, and
 * `answerHandover` behind the admin endpoint the other phase calls. The same call the other way is
 * the rollback.
 */
import { timingSafeEqual } from 'node:crypto';
import { DependencyUnavailableError, SessionMovingError } from './errors.ts';
import { ProblemError } from './problems.ts';
import { HANDOVER_LEASE_MS, type ConfirmReply, type LeaseReply, type Session, type SessionStore } from './sessions.ts';

/** The admin endpoints a holder answers on (never public: phase 2's nginx refuses /admin/). */
export const HANDOVER_LEASE_PATH = '/admin/sessions/lease';
export const HANDOVER_CONFIRM_PATH = '/admin/sessions/confirm';

/** The phase that may hold the sessions this one does not. */
export interface SessionPeer {
  lease(id: string): Promise<LeaseReply>;
  confirm(id: string, leaseId: string): Promise<ConfirmReply>;
}

const PEER = 'handover-peer';
/** The peer answered 400: what was asked about cannot exist there. */
const REFUSED_AS_INVALID = Symbol('refused as invalid');
const PEER_ROLE = 'The other phase (it may hold this session during the cutover)';

/**
 * The other phase over HTTP, with the admin token both phases share during the cutover. The session
 * id travels in the body, never in the URL, so no access log records it. Several addresses (phase
 * 2's instances) are tried in order: one that is down does not stop the handover.
 */
export class HttpSessionPeer implements SessionPeer {
  constructor(readonly urls: readonly string[], readonly adminToken: string, readonly timeoutMs: number) {}

  async lease(id: string): Promise<LeaseReply> {
    // A 400 is the peer refusing the id itself (not one a session can have): it holds no such
    // session, which is an answer, not an outage.
    const reply = await this.#call<LeaseReply>(HANDOVER_LEASE_PATH, { id });
    return reply === REFUSED_AS_INVALID ? { granted: false, reason: 'unknown' } : reply;
  }

  async confirm(id: string, leaseId: string): Promise<ConfirmReply> {
    const reply = await this.#call<{ outcome: ConfirmReply }>(HANDOVER_CONFIRM_PATH, { id, leaseId });
    // The lease it granted is not one it knows any more.
    return reply === REFUSED_AS_INVALID ? 'lease-lost' : reply.outcome;
  }

  async #call<T>(path: string, body: object): Promise<T | typeof REFUSED_AS_INVALID> {
    let lastError: unknown = new Error('no peer address');
    for (const url of this.urls) {
      try {
        const response = await fetch(new URL(path, url), {
          method: 'POST',
          headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.ok) return (await response.json()) as T;
        if (response.status === 400) {
          await response.arrayBuffer();
          return REFUSED_AS_INVALID;
        }
        lastError = new Error(`${url} answered HTTP ${response.status}`);
        // A refusal (a wrong token) would be the same at every address; a 5xx may be this one only.
        if (response.status < 500) break;
      } catch (error) {
        lastError = error;
      }
    }
    throw new DependencyUnavailableError(PEER, PEER_ROLE, lastError);
  }
}

/**
 * Takes the session over from the peer, for a request whose cookie names a session this phase
 * does not serve; null when the peer does not hold it either. Throws SessionMovingError (503, the
 * client retries) while another handover of it is under way or when this one lost its lease.
 */
export async function takeOver(id: string, sessions: SessionStore, peer: SessionPeer): Promise<Session | null> {
  const reply = await peer.lease(id);
  if (!reply.granted) {
    if (reply.reason === 'moving') throw new SessionMovingError();
    // Handed over already: to this phase, whose confirm landed but whose activation did not (the
    // pending copy is the session), or ended here since; either way the answer is what is here.
    if (reply.reason === 'moved') return sessions.activate(id);
    return null;
  }
  await sessions.acceptPending(reply.handed);
  // The lease ran out before the confirm: the holder serves the session again, and the pending copy
  // here is stale. It is never served; the retry's new lease overwrites it.
  if ((await peer.confirm(id, reply.leaseId)) === 'lease-lost') throw new SessionMovingError();
  return sessions.activate(id);
}

/** Refuses unless `authorization` is the admin token as a bearer token (compared in constant time). */
export function checkAdminToken(authorization: string | undefined, adminToken: string): void {
  const sent = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Bearer ${adminToken}`);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw new ProblemError(401, 'AUTH_TOKEN_INVALID', 'The admin API wants ADMIN_TOKEN as a bearer token.');
  }
}

function stringField(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string' || value === '' || value.length > 256) {
    throw new ProblemError(400, 'VALIDATION_FAILED', `The body needs ${name}, a string of 1 to 256 characters.`);
  }
  return value;
}

/** The holder's side of the handover, for either admin endpoint: the JSON body to answer with. */
export async function answerHandover(path: typeof HANDOVER_LEASE_PATH | typeof HANDOVER_CONFIRM_PATH, body: unknown, sessions: SessionStore): Promise<LeaseReply | { outcome: ConfirmReply }> {
  const id = stringField(body, 'id');
  if (path === HANDOVER_LEASE_PATH) return sessions.lease(id, HANDOVER_LEASE_MS);
  return { outcome: await sessions.confirmHandover(id, stringField(body, 'leaseId')) };
}
