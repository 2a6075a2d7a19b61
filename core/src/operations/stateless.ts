/**
 * The stateless column (contract tag Stateless): every request carries all the state the server
 * needs, and the server keeps nothing about the caller (refresh tokens aside, see tokens.ts).
 */
import { priceCart } from '../catalog.ts';
import { ProblemError } from '../problems.ts';
import { mergeQuoteLines } from '../views.ts';
import { checkCredentials } from './credentials.ts';
import type { Operation } from './types.ts';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

export const getStatelessInfo: Operation = (request, context) =>
  Promise.resolve({
    status: 200,
    body: {
      message: 'I have no memory of you. Any instance could have answered this.',
      phase: context.phase,
      instance: context.instanceId,
      requestId: request.requestId,
      timestamp: new Date().toISOString(),
    },
  });

export const incrementStatelessCounter: Operation = (request) => {
  const { value } = request.body as { value: number };
  return Promise.resolve({ status: 200, body: { value: value + 1 } });
};

export const quoteCart: Operation = async (request, context) => {
  const { items } = request.body as { items: { productId: string; quantity: number }[] };
  // The same product on two lines is one line, as in the session cart.
  return { status: 200, body: await priceCart(context.catalog, mergeQuoteLines(items)) };
};

export const issueTokens: Operation = async (request, context) => {
  const { username, password } = request.body as { username: string; password: string };
  const user = await checkCredentials(context, username, password, request.clientAddress);
  return { status: 200, body: await context.tokens.issue(user), headers: { 'Cache-Control': 'no-store' } };
};

export const refreshTokens: Operation = async (request, context) => {
  const { refreshToken } = request.body as { refreshToken: string };
  const outcome = await context.tokens.refresh(refreshToken);
  if (outcome.ok) return { status: 200, body: outcome.tokens, headers: { 'Cache-Control': 'no-store' } };
  if (outcome.reason === 'reused') {
    throw new ProblemError(401, 'REFRESH_TOKEN_REUSED', 'This refresh token was already used; every token of its sign-in is now revoked.');
  }
  throw new ProblemError(401, 'REFRESH_TOKEN_INVALID', 'Unknown, expired or revoked refresh token.');
};

export const getTokenSubject: Operation = async (request, context) => {
  const match = BEARER.exec(request.header('authorization') ?? '');
  const claims = match?.[1] ? await context.tokens.verify(match[1]) : null;
  if (!claims) {
    throw new ProblemError(401, 'AUTH_TOKEN_INVALID', 'Send a valid access token from POST /api/auth/tokens as "Authorization: Bearer <token>".', {
      headers: { 'WWW-Authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer' },
    });
  }
  return {
    status: 200,
    body: { user: claims.user, issuedAt: claims.issuedAt.toISOString(), expiresAt: claims.expiresAt.toISOString(), answeredFrom: 'token-claims' },
  };
};
