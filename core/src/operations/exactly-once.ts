/**
 * Exactly-once retries for the stateful mutations, after the IETF httpapi idempotency-key draft: a
 * client that sends `Idempotency-Key` may resend the request after any failure (a reset socket, a
 * timeout, a 503) and the change is applied at most once. The first answer's outcome is kept with
 * the session, written in the same atomic store step as the change; a retry with the same key and
 * request gets that outcome again (`Idempotent-Replayed: true`), the same key with another request
 * gets 422, and a retry arriving while the first is still running gets 409.
 * https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
import { createHash } from 'node:crypto';
import { ProblemError } from '../problems.ts';
import type { ChangeOutcome, IdempotencyKey, Session } from '../sessions.ts';
import { sessionEnded } from './session-guard.ts';
import type { OperationContext, OperationRequest, OperationResponse } from './types.ts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What makes two requests "the same" for a key: the operation, its path parameters and its body. */
export function requestFingerprint(operationId: string, request: Pick<OperationRequest, 'params' | 'body'>): string {
  return createHash('sha256').update(canonicalJson([operationId, request.params, request.body ?? null])).digest('base64url');
}

/** The key the client sent, if any. The draft writes it as a structured-field string (quoted); a bare token is taken as is. */
export function idempotencyKeyOf(request: Pick<OperationRequest, 'header'>): string | undefined {
  const raw = request.header(IDEMPOTENCY_KEY_HEADER);
  if (raw === undefined) return undefined;
  return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
}

/**
 * Runs `change` at most once per key and session, and answers its outcome with `answer`. Without a
 * key the change simply runs. `change` may check things first (a product exists); if it throws,
 * nothing was applied under the key, which is released so that a retry runs afresh.
 */
export async function exactlyOnce<T extends ChangeOutcome>(
  request: OperationRequest,
  context: OperationContext,
  session: Session,
  operationId: string,
  change: (once: IdempotencyKey | undefined) => Promise<T | null>,
  answer: (outcome: T) => Promise<OperationResponse>,
): Promise<OperationResponse> {
  const key = idempotencyKeyOf(request);
  if (key === undefined) return answer(appliedOrEnded(await change(undefined)));

  const once: IdempotencyKey = { key, fingerprint: requestFingerprint(operationId, request) };
  const claim = await context.sessions.claimIdempotencyKey(session.id, once);
  if (claim === null) throw sessionEnded();
  if (!claim.claimed) {
    const { record } = claim;
    if (record.fingerprint !== once.fingerprint) {
      throw new ProblemError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was first sent with another request; use a new key for a new request.');
    }
    if (record.state === 'in-flight') {
      throw new ProblemError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'The first request with this Idempotency-Key is still being processed; retry shortly.', { headers: { 'Retry-After': '1' } });
    }
    // The record holds what this operation's change returned, since the fingerprint names the operation.
    const replayed = await answer(record.outcome as T);
    return { ...replayed, headers: { ...replayed.headers, [REPLAYED_HEADER]: 'true' } };
  }

  let outcome: T | null;
  try {
    outcome = await change(once);
  } catch (error) {
    // Only an in-flight claim is dropped: if the change did reach the store (its answer was lost on
    // the way back), its completed record stays, and the retry gets the outcome instead of a second change.
    await context.sessions.releaseIdempotencyKey(session.id, once.key).catch(() => undefined);
    throw error;
  }
  return answer(appliedOrEnded(outcome));
}

function appliedOrEnded<T>(outcome: T | null): T {
  if (outcome === null) throw sessionEnded();
  return outcome;
}
