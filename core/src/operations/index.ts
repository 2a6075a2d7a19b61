/**
 * Every operation of contract/openapi.yaml by its operationId. Each phase's adapter looks the
 * contract's operations up here; a test checks that the two lists match exactly.
 */
import * as catalog from './catalog.ts';
import * as health from './health.ts';
import * as stateful from './stateful.ts';
import * as stateless from './stateless.ts';
import type { Operation } from './types.ts';

export const operations: Readonly<Record<string, Operation>> = {
  getLiveness: health.getLiveness,
  getStartup: health.getStartup,
  getReadiness: health.getReadiness,
  getHealth: health.getHealth,
  getMetrics: health.getMetrics,
  listProducts: catalog.listProducts,
  getProduct: catalog.getProduct,
  getStatelessInfo: stateless.getStatelessInfo,
  incrementStatelessCounter: stateless.incrementStatelessCounter,
  quoteCart: stateless.quoteCart,
  issueTokens: stateless.issueTokens,
  refreshTokens: stateless.refreshTokens,
  getTokenSubject: stateless.getTokenSubject,
  createSession: stateful.createSession,
  getCurrentSession: stateful.getCurrentSession,
  endCurrentSession: stateful.endCurrentSession,
  getSessionCounter: stateful.getSessionCounter,
  incrementSessionCounter: stateful.incrementSessionCounter,
  getSessionCart: stateful.getSessionCart,
  addCartItem: stateful.addCartItem,
  removeCartItem: stateful.removeCartItem,
  getSessionStats: stateful.getSessionStats,
};

/**
 * Operations that check credentials or create sessions: password guessing and session flooding go
 * through them, so each phase limits them, one budget per client and operation.
 */
export const RATE_LIMITED_OPERATIONS: ReadonlySet<string> = new Set(['issueTokens', 'refreshTokens', 'createSession']);

export { SESSION_COOKIE } from './session-guard.ts';
export { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER, idempotencyKeyOf, requestFingerprint } from './exactly-once.ts';
export type * from './types.ts';
