/** The read-only catalog (contract tag Catalog). */
import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { ProblemError } from '../http/problem.ts';

export function catalogRoutes(ctx: AppContext): Router {
  const router = Router();

  // The contract's defaults and bounds were applied by the validator, which also coerced the types.
  router.get('/api/products', async (req, res) => {
    const limit = Number(req.query.limit ?? 20);
    const offset = Number(req.query.offset ?? 0);
    res.json(await ctx.catalog.list(limit, offset));
  });

  router.get('/api/products/:productId', async (req, res) => {
    const product = await ctx.catalog.get(req.params.productId);
    if (!product) throw new ProblemError(404, 'RESOURCE_NOT_FOUND', `No product has the id ${req.params.productId}.`);
    res.json(product);
  });

  return router;
}
