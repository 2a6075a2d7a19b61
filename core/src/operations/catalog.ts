/** The read-only catalog (contract tag Catalog). */
import { ProblemError } from '../problems.ts';
import type { Operation } from './types.ts';

// The contract's defaults and bounds were applied by validation, which also coerced the types.
export const listProducts: Operation = async (request, context) => {
  const { limit = 20, offset = 0 } = request.query as { limit?: number; offset?: number };
  return { status: 200, body: await context.catalog.list(limit, offset) };
};

export const getProduct: Operation = async (request, context) => {
  const productId = request.params.productId ?? '';
  const product = await context.catalog.get(productId);
  if (!product) throw new ProblemError(404, 'RESOURCE_NOT_FOUND', 'No product has this id.');
  return { status: 200, body: product };
};
