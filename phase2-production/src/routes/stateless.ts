/**
 * The stateless column (contract tag Stateless): every request carries all the state the server
 * needs, and the server keeps nothing about the caller (refresh tokens aside, see core/tokens.ts).
 */
import { ProblemError, authenticate, mergeQuoteLines, priceCart, unknownProductProblem } from 'core';
import type { AppContext, OperationRoutes } from '../context.ts';
import { rateLimitConfig } from '../http/rate-limit.ts';

interface CartQuoteBody {
  items: { productId: string; quantity: number }[];
}

export function statelessRoutes(ctx: AppContext): OperationRoutes {
  const limited = rateLimitConfig(ctx.config.authRateLimitMax, ctx.config.authRateLimitWindowSeconds);
  return {
    getStatelessInfo: {
      handler: (request) =>
        Promise.resolve({
          message: 'I have no memory of you. Any instance could have answered this.',
          phase: ctx.config.phase,
          instance: ctx.config.instanceId,
          requestId: request.id,
          timestamp: new Date().toISOString(),
        }),
    },

    incrementStatelessCounter: {
      handler: (request) => {
        const { value } = request.body as { value: number };
        return Promise.resolve({ value: value + 1 });
      },
    },

    quoteCart: {
      handler: async (request) => {
        const { items } = request.body as CartQuoteBody;
        // The same product on two lines is one line, as in the session cart.
        const lines = mergeQuoteLines(items);
        try {
          return await priceCart(ctx.catalog, lines);
        } catch (error) {
          throw unknownProductProblem(error);
        }
      },
    },

    issueTokens: {
      config: limited,
      handler: async (request, reply) => {
        const { username, password } = request.body as { username: string; password: string };
        const user = await authenticate(ctx.users, username, password);
        if (!user) throw new ProblemError(401, 'AUTH_INVALID_CREDENTIALS', 'Unknown user or wrong password.');
        void reply.header('Cache-Control', 'no-store');
        return ctx.tokens.issue(user);
      },
    },

    refreshTokens: {
      config: limited,
      handler: async (request, reply) => {
        const { refreshToken } = request.body as { refreshToken: string };
        const outcome = await ctx.tokens.refresh(refreshToken);
        if (!outcome.ok && outcome.reason === 'reused') {
          throw new ProblemError(401, 'REFRESH_TOKEN_REUSED', 'This refresh token was already used; every token of its sign-in is now revoked.');
        }
        if (!outcome.ok) throw new ProblemError(401, 'REFRESH_TOKEN_INVALID', 'Unknown, expired or revoked refresh token.');
        void reply.header('Cache-Control', 'no-store');
        return outcome.tokens;
      },
    },

    getTokenSubject: {
      handler: async (request) => {
        const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '');
        const claims = match?.[1] ? await ctx.tokens.verify(match[1]) : null;
        if (!claims) {
          throw new ProblemError(401, 'AUTH_TOKEN_INVALID', 'Send a valid access token from POST /api/auth/tokens as "Authorization: Bearer <token>".', {
            headers: { 'WWW-Authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer' },
          });
        }
        return { user: claims.user, issuedAt: claims.issuedAt.toISOString(), expiresAt: claims.expiresAt.toISOString(), answeredFrom: 'token-claims' };
      },
    },
  };
}
