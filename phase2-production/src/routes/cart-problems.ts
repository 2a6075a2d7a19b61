import { ProblemError, UnknownProductError } from 'core';

/** Both carts, quoted and stored, refuse unknown products the same way. */
export function productNotFound(productIds: readonly string[]): ProblemError {
  return new ProblemError(422, 'PRODUCT_NOT_FOUND', `The catalog has no product ${productIds.join(', ')}.`);
}

export function unknownProductProblem(error: unknown): unknown {
  return error instanceof UnknownProductError ? productNotFound(error.productIds) : error;
}
