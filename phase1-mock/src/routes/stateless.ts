/**
 * The stateless column (contract tag Stateless): every request carries all the state the server
 * needs, and the server keeps nothing about the caller (refresh tokens aside, see auth/tokens.ts).
 */
import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { ProblemError } from '../http/problem.ts';
import { authenticate, mergeQuoteLines, priceCart, unknownProductProblem } from 'core';

interface CartQuoteBody {
  items: { productId: string; quantity: number }[];
}

export function statelessRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/api/stateless/info', (_req, res) => {
    res.json({
      message: 'I have no memory of you. Any instance could have answered this.',
      phase: ctx.config.phase,
      instance: ctx.config.instanceId,
      requestId: res.locals.requestId as string,
      timestamp: new Date().toISOString(),
    });
  });

  router.post('/api/stateless/counter', (req, res) => {
    const { value } = req.body as { value: number };
    res.json({ value: value + 1 });
  });

  router.post('/api/stateless/cart/quote', async (req, res) => {
    const { items } = req.body as CartQuoteBody;
    // The same product on two lines is one line, as in the session cart.
    const lines = mergeQuoteLines(items);
    try {
      res.json(await priceCart(ctx.catalog, lines));
    } catch (error) {
      throw unknownProductProblem(error);
    }
  });

  router.post('/api/auth/tokens', async (req, res) => {
    const { username, password } = req.body as { username: string; password: string };
    const user = await authenticate(ctx.users, username, password);
    if (!user) throw new ProblemError(401, 'AUTH_INVALID_CREDENTIALS', 'Unknown user or wrong password.');
    res.setHeader('Cache-Control', 'no-store');
    res.json(await ctx.tokens.issue(user));
  });

  router.post('/api/auth/tokens/refresh', async (req, res) => {
    const { refreshToken } = req.body as { refreshToken: string };
    const outcome = await ctx.tokens.refresh(refreshToken);
    if (!outcome.ok && outcome.reason === 'reused') {
      throw new ProblemError(401, 'REFRESH_TOKEN_REUSED', 'This refresh token was already used; every token of its sign-in is now revoked.');
    }
    if (!outcome.ok) throw new ProblemError(401, 'REFRESH_TOKEN_INVALID', 'Unknown, expired or revoked refresh token.');
    res.setHeader('Cache-Control', 'no-store');
    res.json(outcome.tokens);
  });

  router.get('/api/stateless/me', async (req, res) => {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.get('authorization') ?? '');
    const claims = match?.[1] ? await ctx.tokens.verify(match[1]) : null;
    if (!claims) {
      throw new ProblemError(401, 'AUTH_TOKEN_INVALID', 'Send a valid access token from POST /api/auth/tokens as "Authorization: Bearer <token>".', {
        headers: { 'WWW-Authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer' },
      });
    }
    res.json({ user: claims.user, issuedAt: claims.issuedAt.toISOString(), expiresAt: claims.expiresAt.toISOString(), answeredFrom: 'token-claims' });
  });

  return router;
}
