/**
 * The stateful column (contract tag Stateful): the client sends only its `sid` cookie, and the
 * server keeps its state in the session store (a Map in phase 1, Redis in phase 2). Each change is
 * one atomic store operation, never a read-modify-write of the whole session.
 */
import { priceCart } from '../catalog.ts';
import { productNotFound } from '../errors.ts';
import { ProblemError } from '../problems.ts';
import { MAX_QUANTITY_PER_LINE, type CartChange, type SessionUser } from '../sessions.ts';
import { sessionView } from '../views.ts';
import { checkCredentials } from './credentials.ts';
import { exactlyOnce } from './exactly-once.ts';
import { SESSION_COOKIE, checkCsrf, requireCsrf, requireSession, sessionCookieOptions, sessionFromCookie } from './session-guard.ts';
import type { Operation, OperationContext } from './types.ts';

/** The session's cart, priced; lines whose product has left the catalog are listed apart. */
const pricedCart = async (context: OperationContext, cart: Record<string, number>) => ({ status: 200, body: await priceCart(context.catalog, Object.entries(cart), 'set-aside') });

export const createSession: Operation = async (request, context) => {
  // Replacing a live session ends it, so it is a change to that session like any other: it needs
  // the session's CSRF token, or any page could sign its visitor out.
  const previous = await sessionFromCookie(request, context);
  if (previous) checkCsrf(request, previous);
  const body = request.body as { username: string; password: string } | undefined | null;
  let user: SessionUser | null = null;
  if (body) user = await checkCredentials(context, body.username, body.password, request.clientAddress);
  // Always a new id (no session fixation). Only a guest's counter and cart come along: a signed-in
  // user's state belongs to that user, not to whoever signs in next on the same browser.
  const carry = previous?.user === null ? { counter: previous.counter, cart: previous.cart } : undefined;
  const session = await context.sessions.create(user, carry);
  if (previous) {
    await context.sessions.destroy(previous.id);
    context.audit.record({ sessionId: previous.id, event: 'ended', username: previous.user?.username ?? null });
  }
  context.audit.record({ sessionId: session.id, event: user ? 'signed_in' : 'created', username: user?.username ?? null });
  return {
    status: 201,
    body: sessionView(session),
    headers: { 'Cache-Control': 'no-store' },
    cookie: { name: SESSION_COOKIE, value: session.id, options: sessionCookieOptions(request, context) },
  };
};

export const getCurrentSession: Operation = async (request, context) => ({ status: 200, body: sessionView(await requireSession(request, context)) });

export const endCurrentSession: Operation = async (request, context) => {
  const session = await requireCsrf(request, context);
  await context.sessions.destroy(session.id);
  context.audit.record({ sessionId: session.id, event: 'ended', username: session.user?.username ?? null });
  return { status: 204, cookie: { name: SESSION_COOKIE, value: null, options: sessionCookieOptions(request, context) } };
};

export const getSessionCounter: Operation = async (request, context) => ({ status: 200, body: { value: (await requireSession(request, context)).counter } });

export const incrementSessionCounter: Operation = async (request, context) => {
  const session = await requireCsrf(request, context);
  return exactlyOnce(
    request, context, session, 'incrementSessionCounter',
    (once) => context.sessions.incrementCounter(session.id, once),
    (value) => Promise.resolve({ status: 200, body: { value } }),
  );
};

export const getSessionCart: Operation = async (request, context) => pricedCart(context, (await requireSession(request, context)).cart);

/** A cart change's answer: the priced cart, or why the change was refused. */
const cartAnswer = (context: OperationContext) => (change: CartChange) => {
  if (change.ok) return pricedCart(context, change.cart);
  if (change.reason === 'limit-exceeded') throw new ProblemError(422, 'CART_LIMIT_EXCEEDED', `At most ${MAX_QUANTITY_PER_LINE} of one product per cart.`);
  throw new ProblemError(404, 'RESOURCE_NOT_FOUND', 'The cart has no line for this product.');
};

export const addCartItem: Operation = async (request, context) => {
  const session = await requireCsrf(request, context);
  const { productId, quantity } = request.body as { productId: string; quantity: number };
  return exactlyOnce(
    request, context, session, 'addCartItem',
    async (once) => {
      if (!(await context.catalog.get(productId))) throw productNotFound([productId]);
      return context.sessions.addToCart(session.id, productId, quantity, MAX_QUANTITY_PER_LINE, once);
    },
    cartAnswer(context),
  );
};

export const removeCartItem: Operation = async (request, context) => {
  const session = await requireCsrf(request, context);
  const productId = request.params.productId ?? '';
  return exactlyOnce(
    request, context, session, 'removeCartItem',
    (once) => context.sessions.removeFromCart(session.id, productId, once),
    cartAnswer(context),
  );
};

export const getSessionStats: Operation = async (_request, context) => ({
  status: 200,
  body: { liveSessions: await context.sessions.countLive(), store: context.sessions.kind, phase: context.phase, instance: context.instanceId },
});
