/** The read-only catalog (contract tag Catalog). */
import { ProblemError } from 'core';
import type { AppContext, OperationRoutes } from '../context.ts';

export function catalogRoutes(ctx: AppContext): OperationRoutes {
  return {
    // The contract's defaults and bounds were applied by validation, which also coerced the types.
    listProducts: {
      handler: async (request) => {
        const { limit = 20, offset = 0 } = request.query as { limit?: number; offset?: number };
        return ctx.catalog.list(limit, offset);
      },
    },
    getProduct: {
      handler: async (request) => {
        const { productId } = request.params as { productId: string };
        const product = await ctx.catalog.get(productId);
        if (!product) throw new ProblemError(404, 'RESOURCE_NOT_FOUND', `No product has the id ${productId}.`);
        return product;
      },
    },
  };
}
