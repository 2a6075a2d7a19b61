/**
 * Domain errors: what stores and the domain raise, with no HTTP in them. The edge (each phase's one
 * error handler) maps them to problems with `problemFromError`, so a store never decides a status.
 */
import { UnknownProductError } from './catalog.ts';
import { ProblemError } from './problems.ts';

/** What a log line says of something thrown: an Error's message, anything else as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A component the operation needs cannot be reached now (Redis, PostgreSQL): retry shortly. */
export class DependencyUnavailableError extends Error {
  /**
   * @param dependency a short name for logs and metrics (`redis`, `postgres`)
   * @param role what it is to this API, for the client (`Redis (the session store)`)
   */
  constructor(readonly dependency: string, readonly role: string, cause: unknown) {
    super(`${role} is unreachable`, { cause });
  }
}

/**
 * Runs a call to a component; an error that `unreachable` recognises (the component's client
 * saying "cannot reach it", as opposed to "your request is wrong") becomes a
 * DependencyUnavailableError, which the edge answers with 503. Anything else goes on unchanged.
 */
export async function guardDependency<T>(call: () => Promise<T>, unreachable: (error: unknown) => boolean, dependency: string, role: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (unreachable(error)) throw new DependencyUnavailableError(dependency, role, error);
    throw error;
  }
}

/**
 * The session is leased to the other phase during the cutover (docs/decisions/0011-…): nothing was
 * changed, and a retry in a second finds it on whichever phase then holds it.
 */
export class SessionMovingError extends Error {
  constructor() {
    super('the session is being handed over to the other phase');
  }
}

/** A cart line would go past the per-line limit. */
export class CartLineLimitError extends Error {
  constructor(readonly productId: string, readonly limit: number) {
    super(`at most ${limit} of ${productId} per cart`);
  }
}

/** Both carts, quoted and stored, refuse unknown products the same way. */
export function productNotFound(productIds: readonly string[]): ProblemError {
  return new ProblemError(422, 'PRODUCT_NOT_FOUND', productIds.length === 1 ? 'A product id sent is not in the catalog.' : `${productIds.length} product ids sent are not in the catalog.`);
}

/** A path the API has, asked with a method it does not take there; `allow` lists those it takes. */
export function methodNotAllowed(allow: readonly string[]): ProblemError {
  return new ProblemError(405, 'METHOD_NOT_ALLOWED', 'This path does not take this method; Allow lists those it takes.', { headers: { Allow: allow.join(', ') } });
}

/** The problem a domain error stands for; null for anything else (the edge answers 500 then). */
export function problemFromError(error: unknown): ProblemError | null {
  if (error instanceof ProblemError) return error;
  if (error instanceof DependencyUnavailableError) {
    return new ProblemError(503, 'DEPENDENCY_UNAVAILABLE', `${error.role} is unreachable; try again shortly.`, { headers: { 'Retry-After': '1' } });
  }
  if (error instanceof SessionMovingError) {
    return new ProblemError(503, 'SESSION_MOVING', 'This session is moving between the phases of the cutover; nothing was changed, retry in a second.', { headers: { 'Retry-After': '1' } });
  }
  if (error instanceof UnknownProductError) return productNotFound(error.productIds);
  if (error instanceof CartLineLimitError) return new ProblemError(422, 'CART_LIMIT_EXCEEDED', `At most ${error.limit} of one product per cart.`);
  return null;
}
