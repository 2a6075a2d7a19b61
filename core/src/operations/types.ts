/**
 * The contract's operations as plain functions: a request in (what the framework parsed and the
 * contract validated), a response out (status, body, headers, the session cookie). No framework
 * type appears here, so both phases run the same operations and differ only in their adapter
 * (`src/http/operations.ts`) and in the components they hand over (`src/components.ts`).
 */
import type { Catalog } from '../catalog.ts';
import type { Check } from '../health.ts';
import type { SessionPeer } from '../handover.ts';
import type { SessionStore } from '../sessions.ts';
import type { TokenService } from '../tokens.ts';
import type { UserDirectory } from '../users.ts';
import type { SignInAttempts } from '../sign-in-attempts.ts';

/** What an adapter hands an operation, after validation against the contract. */
export interface OperationRequest {
  /** Path parameters, as the contract names them. */
  params: Record<string, string>;
  /** Query parameters, coerced to the contract's types with its defaults applied. */
  query: Record<string, unknown>;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  /** Header values by lower-case name. */
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  requestId: string;
  /**
   * The client's connection was TLS: the adapter's own socket, or the `X-Forwarded-Proto` of a
   * proxy the phase trusts (nginx terminates TLS in phase 2). The session cookie is `Secure` then.
   */
  overTls: boolean;
  /**
   * The client's address: the socket's peer, or what a proxy the phase trusts says it is (nginx in
   * phase 2). Sign-in attempts are counted by it (decision 10).
   */
  clientAddress: string;
}

export interface CookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: '/';
}

export interface OperationResponse {
  status: number;
  /** Sent as JSON; absent for 204. */
  body?: unknown;
  /** A body that is not JSON (the Prometheus exposition format). */
  text?: { contentType: string; content: string };
  headers?: Record<string, string>;
  /** Sets (value) or clears (null) a cookie. */
  cookie?: { name: string; value: string | null; options: CookieOptions };
}

/** A session event for the audit trail; phase 2 writes them to PostgreSQL, phase 1 keeps none. */
export interface SessionEvent {
  sessionId: string;
  event: 'created' | 'signed_in' | 'ended';
  username: string | null;
}

export interface HealthSources {
  /** When the process started (ms since epoch). */
  startedAt: number;
  /** The instance's own state: maintenance, and in phase 2 draining. Cheap, synchronous. */
  states(): Check[];
  /** One timed round trip to each component readiness depends on. */
  dependencies(): Promise<Check[]>;
}

/** The components an operation works with, behind core's interfaces. */
export interface OperationContext {
  phase: string;
  instanceId: string;
  /** Mark the session cookie `Secure` even on a plain-HTTP request (COOKIE_SECURE). */
  cookieSecure: boolean;
  sessions: SessionStore;
  /** During the cutover, the other phase, which may hold the sessions this one does not; null otherwise. */
  handover: SessionPeer | null;
  catalog: Catalog;
  users: UserDirectory;
  signInAttempts: SignInAttempts;
  tokens: TokenService;
  health: HealthSources;
  metrics: { contentType: string; render(): Promise<string> };
  audit: { record(event: SessionEvent): void };
}

export type Operation = (request: OperationRequest, context: OperationContext) => Promise<OperationResponse>;
